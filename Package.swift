// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "flowaudit",
    products: [
        .executable(name: "flowaudit", targets: ["flowaudit"]),
        .executable(name: "flowaudit-samples", targets: ["flowaudit-samples"]),
        .executable(name: "flowaudit-bench", targets: ["flowaudit-bench"]),
        .library(name: "FlowAudit", targets: ["FlowAudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        .target(
            name: "FlowAudit",
            dependencies: ["CZlib", "CLibXML2"],
            // The data files are compiled in through Resources/EmbeddedResources.swift (Scripts/embed-resources.sh).
            exclude: ["Resources/Data"]
        ),
        // The command line: argument parsing and terminal output, kept apart so tests can parse commands.
        .target(
            name: "FlowAuditCommandLine",
            dependencies: [
                "FlowAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "flowaudit",
            dependencies: ["FlowAuditCommandLine"]
        ),
        // Deterministic log generators: the demo scenario in sample-logs/, test and benchmark inputs.
        .target(
            name: "FlowAuditSynthetic",
            dependencies: ["FlowAudit"]
        ),
        .executableTarget(
            name: "flowaudit-samples",
            dependencies: [
                "FlowAuditSynthetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "flowaudit-bench",
            dependencies: [
                "FlowAudit",
                "FlowAuditSynthetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // XML Schema validation and parsing with libxml2, for the reports' tests only.
        .target(
            name: "FlowAuditTestSupport",
            dependencies: ["CLibXML2"],
            path: "Tests/FlowAuditTestSupport"
        ),
        .testTarget(
            name: "FlowAuditTests",
            dependencies: [
                "FlowAudit", "FlowAuditCommandLine", "FlowAuditSynthetic", "FlowAuditTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FlowAuditConformanceTests",
            dependencies: ["FlowAudit", "FlowAuditTestSupport"]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
            .enableUpcomingFeature("InternalImportsByDefault"),
        ]
}
