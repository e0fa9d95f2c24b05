// swift-tools-version:6.0
import PackageDescription

let dcmtkLibraries: [LinkerSetting] = ["dcmjpls", "dcmjpeg", "dcmimgle", "dcmdata", "oflog", "ofstd"].map {
    .linkedLibrary($0)
}

// DCMTK's Segmentation (dcmseg on dcmfg, dcmiod) and Structured Report (dcmsr, cmr) modules, for results written back.
let dcmtkResultsLibraries: [LinkerSetting] = ["dcmseg", "dcmfg", "dcmiod", "cmr", "dcmsr", "dcmimgle", "dcmdata", "oflog",
                                              "ofstd"].map { .linkedLibrary($0) }

let package = Package(
    name: "CementReport",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cement", targets: ["cement"]),
        .library(name: "CementCore", targets: ["CementCore"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Phantom", targets: ["Phantom"]),
        .library(name: "Statistics", targets: ["Statistics"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "Study", targets: ["Study"]),
        .library(name: "Figures", targets: ["Figures"]),
        .library(name: "Report", targets: ["Report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CCmarkGFM", path: "Sources/CCmarkGFM", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "pangocairo",
                       providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "CDCMTK",
            path: "Sources/CDCMTK",
            linkerSettings: dcmtkLibraries
        ),
        .target(
            name: "CDCMTKNet",
            path: "Sources/CDCMTKNet",
            linkerSettings: ["dcmnet", "dcmdata", "oflog", "ofstd"].map { .linkedLibrary($0) }
        ),
        .target(name: "CDCMTKResults", path: "Sources/CDCMTKResults", linkerSettings: dcmtkResultsLibraries),
        .target(name: "CementCore"),
        .target(name: "Imaging", dependencies: ["CementCore", "CDCMTK", "CZlib"]),
        .target(name: "Phantom", dependencies: ["CementCore", "Imaging"]),
        .target(name: "Statistics"),
        .target(name: "RateEngine", dependencies: ["CementCore", "Imaging"], plugins: ["SourceStamps"]),
        .target(name: "Report", dependencies: ["CementCore", "CCmarkGFM", "Figures", "Statistics", "Tabular",
                                              .product(name: "Yams", package: "Yams"),
                                              .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Measurements", dependencies: ["CementCore", "Imaging", "RateEngine",
                                                    .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "StudyReport", dependencies: ["Report", "Study", "Tabular", "Figures", "Statistics", "Measurements", "Imaging"]),
        .target(name: "Tabular", dependencies: ["CementCore", .product(name: "SwiftCSV", package: "SwiftCSV")]),
        .target(name: "Study", dependencies: ["CementCore", "Statistics", "Tabular"]),
        .target(name: "PACS", dependencies: ["CementCore", "Imaging", "CDCMTKNet", .product(name: "Yams", package: "Yams")]),
        .target(name: "Figures", dependencies: ["CCairo", "Imaging", "Statistics", "Tabular"]),
        .target(name: "DICOMResults", dependencies: ["CementCore", "Imaging", "RateEngine", "CDCMTKResults"]),
        .target(name: "RateBatch", dependencies: ["RateEngine", "Measurements", "Imaging", "Tabular"]),
        .target(name: "Registry", dependencies: ["CementCore", "Imaging", "RateEngine", "RateBatch", "Measurements", "Study",
                                                "Tabular", .product(name: "GRDB", package: "GRDB.swift"),
                                                .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AuditReport", dependencies: ["Registry", "Report", "Figures", "Statistics", "RateEngine", "CementCore",
                                                   "Measurements", "Imaging"]),
        .plugin(name: "SourceStamps", capability: .buildTool(), path: "Plugins/SourceStamps"),
        .executableTarget(
            name: "cement",
            dependencies: [
                "CementCore",
                "Imaging",
                "Phantom",
                "Statistics",
                "Figures",
                "Study",
                "RateEngine",
                "Report",
                "RateBatch",
                "StudyReport",
                "Measurements",
                "Tabular",
                "PACS",
                "DICOMResults",
                "Registry",
                "AuditReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["SourceStamps"]
        ),
        .executableTarget(
            name: "cement-bench",
            dependencies: ["Imaging", "Phantom", "RateEngine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "CementCoreTests", dependencies: ["CementCore"]),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "Tabular"], resources: [.copy("NIST")]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Imaging", "Statistics", "CCairo", "Tabular"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Statistics", "Tabular"]),
        .testTarget(name: "RateEngineTests", dependencies: ["RateEngine", "Imaging", "Phantom"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"]),
        .testTarget(name: "StudyReportTests", dependencies: ["StudyReport", "Report"]),
        .testTarget(name: "MeasurementsTests", dependencies: ["Measurements", "RateEngine", "Imaging", "Phantom"]),
        .testTarget(name: "PhantomTests", dependencies: ["Phantom", "Imaging"]),
        .testTarget(name: "BindingTests", dependencies: ["CCmarkGFM", "CCairo"]),
        .target(name: "CLITestSupport", path: "Tests/CLITestSupport"),
        .testTarget(name: "PACSTests", dependencies: ["PACS", "Imaging", "Phantom", "cement", "CLITestSupport"]),
        .testTarget(name: "DICOMResultsTests", dependencies: ["DICOMResults", "RateEngine", "Imaging"]),
        .testTarget(name: "CLITests", dependencies: ["cement", "Imaging", "Registry", "Measurements", "CLITestSupport"]),
        .testTarget(name: "RateBatchTests", dependencies: ["RateBatch", "RateEngine", "Imaging", "Phantom"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Imaging", "Phantom", "RateEngine", "Study",
                                                         .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "AuditReportTests", dependencies: ["AuditReport", "Registry", "Report", "Statistics"]),
    ],
    cxxLanguageStandard: .cxx17
)
