// swift-tools-version:6.0
import PackageDescription

// Library modules below a one-target executable (see STYLE.md). TestSupport is linked by tests only.
let package = Package(
    name: "kubectl-gitops",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kubectl-gitops", targets: ["kubectl-gitops"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libcurl is loaded on first use (see CCurl.h); only its headers are needed to build.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        // libcrypto too (see CCrypto.h): only artifact commands hash.
        .target(name: "CCrypto", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", providers: [.apt(["libdeflate-dev"])]),

        // POSIX locks, threads, subprocesses and string helpers, so no module needs Foundation beyond
        // FoundationEssentials (full Foundation brings ICU: +45 MB binary, slower start-up, +3 MiB RSS).
        .target(name: "CSystemKit"),
        .target(name: "SystemKit", dependencies: ["CSystemKit"]),
        .target(name: "JSON", dependencies: ["Yams"]),
        .target(name: "Semver"),
        .target(name: "HTTPTransport", dependencies: ["CCurl"]),
        .target(name: "KubeConfig", dependencies: ["HTTPTransport", "JSON", "SystemKit", "Yams"]),
        .target(name: "KubeClient", dependencies: ["HTTPTransport", "KubeConfig", "JSON"]),
        .target(name: "Flux", dependencies: ["KubeClient", "JSON", "Semver", "Yams"]),
        .target(name: "OCI", dependencies: ["HTTPTransport", "JSON", "Semver", "SystemKit", "CCrypto", "CZlib", "CDeflate"]),
        .target(name: "GitOpsCLI", dependencies: [
            "HTTPTransport", "JSON", "KubeConfig", "KubeClient", "Flux", "OCI", "Yams",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // A position-dependent executable, as Go builds kubectl and flux: with the Swift runtime linked statically a PIE
        // carries ~82,000 relative relocations that the loader applies at every start (1.9 MiB of .rela.dyn read and
        // data pages dirtied). lld, shipped with the toolchain, links it. Nothing loads our symbols dynamically, so
        // they are not exported either (the dynamic symbol table shrinks from 6,700 entries to 500).
        .executableTarget(name: "kubectl-gitops", dependencies: ["GitOpsCLI", "CCurl"],
                          linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "--no-pie", "-Xlinker", "--no-export-dynamic"])]),

        .target(name: "TestSupport", dependencies: ["HTTPTransport", "Yams"]),
        .testTarget(name: "SystemKitTests", dependencies: ["SystemKit"]),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"]),
        .testTarget(name: "KubeConfigTests", dependencies: ["KubeConfig", "JSON", "TestSupport"]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeConfig", "HTTPTransport", "JSON", "TestSupport"]),
        .testTarget(name: "FluxTests", dependencies: ["Flux", "KubeClient", "JSON", "Semver", "TestSupport", "Yams"]),
        .testTarget(name: "OCITests", dependencies: ["OCI", "HTTPTransport", "Semver", "TestSupport"]),
        .testTarget(name: "GitOpsCLITests", dependencies: ["GitOpsCLI", "JSON", "TestSupport", "Yams"], exclude: ["Goldens"]),
    ],
    swiftLanguageModes: [.v5]
)
