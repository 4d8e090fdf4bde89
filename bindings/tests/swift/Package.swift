// swift-tools-version:5.9
// macOS only: `bindings/tests/swift/run-macos.sh` generates the bindings into Generated/ and runs
// `swift test` against target/debug/liblinli_ffi.
import PackageDescription

let package = Package(
    name: "LinliCoreTests",
    platforms: [.macOS(.v13)],
    targets: [
        .systemLibrary(name: "LinliCoreFFI", path: "Generated/LinliCoreFFI"),
        .target(
            name: "LinliCore",
            dependencies: ["LinliCoreFFI"],
            path: "Generated/LinliCore",
            linkerSettings: [.unsafeFlags(["-L../../../target/debug", "-llinli_ffi"])]
        ),
        .testTarget(name: "LinliCoreTests", dependencies: ["LinliCore"], path: "Tests/LinliCoreTests"),
    ]
)
