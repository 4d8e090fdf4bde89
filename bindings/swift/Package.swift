// swift-tools-version:5.9
// LinliCore: the Linli core for Swift apps (iOS 16+, macOS 13+): the Rust library as an
// XCFramework (iOS device, iOS simulator and macOS slices) and its generated Swift bindings.
//
// Two ways to get the XCFramework:
// - released: the zip attached to the GitHub release `version`, checked against `checksum`
//   (both written by `build-xcframework.sh --release`);
// - local: `build-xcframework.sh` builds `LinliCoreFFI.xcframework` beside this file. Used when
//   LINLI_LOCAL_CORE is set, and always until a release has written its checksum.
//
// SwiftPM reads a package only at the root of a repository: a release copies this folder into
// the repository `linli-pb/linli-swift` (docs/adr/0008), which apps add by URL.
import Foundation
import PackageDescription

let version = "0.1.0"
let checksum = ""  // the release zip's SHA-256, written by build-xcframework.sh --release

let local = ProcessInfo.processInfo.environment["LINLI_LOCAL_CORE"] != nil || checksum.isEmpty
let ffi: Target = local
    ? .binaryTarget(name: "LinliCoreFFI", path: "LinliCoreFFI.xcframework")
    : .binaryTarget(
        name: "LinliCoreFFI",
        url: "https://github.com/linli-pb/linli/releases/download/\(version)/LinliCoreFFI.xcframework.zip",
        checksum: checksum
    )

let package = Package(
    name: "LinliCore",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [.library(name: "LinliCore", targets: ["LinliCore"])],
    targets: [
        ffi,
        .target(name: "LinliCore", dependencies: ["LinliCoreFFI"], path: "Sources/LinliCore"),
    ]
)
