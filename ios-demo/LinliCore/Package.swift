// swift-tools-version:5.9
// The Linli core for the app: the Rust library as an xcframework and its generated Swift
// bindings. Both are produced by ../scripts/build-core.sh (not checked in).
import PackageDescription

let package = Package(
    name: "LinliCore",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [.library(name: "LinliCore", targets: ["LinliCore"])],
    targets: [
        .binaryTarget(name: "LinliCoreFFI", path: "LinliCoreFFI.xcframework"),
        .target(name: "LinliCore", dependencies: ["LinliCoreFFI"], path: "Sources/LinliCore"),
    ]
)
