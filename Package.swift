// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "flowaudit",
    products: [
        .executable(name: "flowaudit", targets: ["flowaudit"]),
        .library(name: "FlowAudit", targets: ["FlowAudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
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
        .executableTarget(
            name: "flowaudit-bench",
            dependencies: [
                "FlowAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "FlowAuditTests",
            dependencies: ["FlowAudit"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FlowAuditConformanceTests",
            dependencies: ["FlowAudit"]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
}
