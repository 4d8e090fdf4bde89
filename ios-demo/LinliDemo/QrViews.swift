import LinliCore
import SwiftUI
import VisionKit

/// A QR code the core drew (`QrCode`: the module matrix), painted module by module in black on
/// white with its 4-module quiet zone. Modules are whole points, so edges stay sharp for the
/// other phone's camera.
struct QrImage: View {
    let code: QrCode

    var body: some View {
        Canvas { context, size in
            let side = Int(code.size)
            let cells = CGFloat(side + 8)
            let module = floor(min(size.width, size.height) / cells)
            let origin = (min(size.width, size.height) - module * cells) / 2 + module * 4
            var dark = Path()
            for y in 0..<side {
                for x in 0..<side where code.modules[y * side + x] {
                    dark.addRect(CGRect(x: origin + CGFloat(x) * module, y: origin + CGFloat(y) * module,
                                        width: module, height: module))
                }
            }
            context.fill(dark, with: .color(.black))
        }
        .aspectRatio(1, contentMode: .fit)
        .background(Color.white)
        .accessibilityLabel(Text("qr.image"))
    }
}

/// The camera, reading QR codes with VisionKit's data scanner (iOS 16, on-device, no network),
/// and passing each code's text to `onText` on the main actor. VisionKit gives a QR code's
/// payload only as a string, which is why the core shows chunks as base45 text.
struct QrScanner: UIViewControllerRepresentable {
    let onText: (String) -> Void

    static var isAvailable: Bool { DataScannerViewController.isSupported && DataScannerViewController.isAvailable }

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode(symbologies: [.qr])],
            qualityLevel: .accurate,
            recognizesMultipleItems: false,
            isHighFrameRateTrackingEnabled: false,
            isHighlightingEnabled: true
        )
        scanner.delegate = context.coordinator
        try? scanner.startScanning()
        return scanner
    }

    func updateUIViewController(_ controller: DataScannerViewController, context: Context) {}

    static func dismantleUIViewController(_ controller: DataScannerViewController, coordinator: Coordinator) {
        controller.stopScanning()
    }

    func makeCoordinator() -> Coordinator { Coordinator(onText: onText) }

    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        let onText: (String) -> Void
        init(onText: @escaping (String) -> Void) { self.onText = onText }

        func dataScanner(_ scanner: DataScannerViewController, didAdd added: [RecognizedItem], allItems: [RecognizedItem]) {
            for item in added {
                if case .barcode(let barcode) = item, let text = barcode.payloadStringValue { onText(text) }
            }
        }
    }
}

/// The camera screen: the cadre's invite joins the cycle; the tablet's codes are collected and
/// imported; the last line says what the last code did.
struct ScanView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        VStack(spacing: 12) {
            Text("scan.help").font(.footnote)
            if QrScanner.isAvailable {
                QrScanner { text in model.scanned(text) }
                    .aspectRatio(1, contentMode: .fit)
            } else {
                Text("scan.unavailable")
            }
            if let said = model.scanned { Text(said).font(.headline) }
            Button("close") { dismiss() }
        }
        .padding()
        .onAppear { model.startScan() }
        .onDisappear { model.stopScan() }
    }
}

/// What the tablet lacks, one QR code at a time, for the tablet's camera.
struct CodesView: View {
    let codes: [QrCode]
    @State private var at = 0
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        VStack(spacing: 12) {
            Text("codes.help").font(.footnote)
            if !codes.isEmpty {
                QrImage(code: codes[at])
                Text("codes.n \(at + 1) \(codes.count)").font(.headline)
            }
            HStack {
                Button("codes.previous") { at -= 1 }.disabled(at == 0)
                Button("codes.next") { at += 1 }.disabled(at >= codes.count - 1)
                Button("close") { dismiss() }
            }
        }
        .padding()
    }
}
