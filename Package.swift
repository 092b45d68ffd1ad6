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
        .executableTarget(
            name: "flowaudit",
            dependencies: [
                "FlowAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
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
        .testTarget(
            name: "FlowAuditTests",
            dependencies: [
                "FlowAudit", "FlowAuditSynthetic",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FlowAuditConformanceTests",
            dependencies: ["FlowAudit"]
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
