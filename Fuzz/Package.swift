// swift-tools-version:6.0
// libFuzzer targets for CementReport's input readers, built apart from the main package so that only `make fuzz`
// compiles them with -sanitize=fuzzer,address (see README.md here).
import PackageDescription

let package = Package(
    name: "CementReportFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "CementReport", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "FuzzDICOM", dependencies: ["CFuzzDriver", .product(name: "Imaging", package: "CementReport")]),
        .executableTarget(name: "FuzzNIfTI", dependencies: ["CFuzzDriver", .product(name: "Imaging", package: "CementReport")]),
        .executableTarget(name: "FuzzCSV", dependencies: ["CFuzzDriver", .product(name: "Study", package: "CementReport"),
                                                         .product(name: "Tabular", package: "CementReport")]),
        .executableTarget(name: "FuzzTemplate", dependencies: ["CFuzzDriver", .product(name: "Report", package: "CementReport")]),
    ]
)
