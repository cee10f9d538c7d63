// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets over Berth's parsers of untrusted input. A separate package, so the main
/// package's `swift build` never has to link an executable without `main` (libFuzzer supplies it).
/// Build and run with `make fuzz` (long) or `make fuzz-smoke` (bounded, part of `make test`).
let package = Package(
    name: "BerthFuzz",
    dependencies: [.package(name: "Berth", path: "..")],
    targets: [
        .executableTarget(
            name: "berth-fuzz",
            dependencies: [.product(name: "BerthNetlink", package: "Berth"),
                           .product(name: "BerthCNI", package: "Berth"),
                           .product(name: "BerthNetavark", package: "Berth"),
                           .product(name: "BerthDNSWire", package: "Berth"),
                           .product(name: "BerthDNSCore", package: "Berth"),
                           .product(name: "BerthAddress", package: "Berth")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]),
    ]
)
