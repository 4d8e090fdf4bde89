import SwiftUI

/// The Linli resident app: join a community from an invite, proposals and the vote, projects
/// (progress, satisfaction, payments, timeline, reports with a photo, ratings), and sync with the
/// community-centre tablet or, with no network, by sharing QR-sized chunk files.
@main
struct LinliDemoApp: App {
    @StateObject private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            ContentView().environmentObject(model)
        }
    }
}
