// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Chaperone",
    products: [
        .executable(name: "chaperone", targets: ["chaperone"]),
    ],
    targets: [
        // C libraries from Debian, one system library target each.
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        // The process's allocator (see Sources/chaperone/Libraries.swift).
        .systemLibrary(name: "CTCMalloc", pkgConfig: "libtcmalloc_minimal",
                       providers: [.apt(["libgoogle-perftools-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // Typed wrappers for the variadic C functions and macros Swift cannot import.
        .target(name: "CChaperone", dependencies: ["CMicroHTTPD", "CCurl"]),

        .target(name: "ChaperoneRouting"),
        .target(
            name: "ChaperoneConfig",
            dependencies: [
                "CYAML", "COpenSSL", "ChaperoneRouting", "ChaperoneIdentity", "ChaperoneVault",
                "ChaperoneAudit",
            ]
        ),
        .target(name: "ChaperoneClock"),
        .target(
            name: "ChaperoneUpstream", dependencies: ["CCurl", "CChaperone", "ChaperoneClock"]
        ),
        .target(name: "ChaperoneIdentity", dependencies: ["COpenSSL", "CJansson"]),
        .target(name: "ChaperoneSQLite", dependencies: ["CSQLite"]),
        .target(name: "ChaperoneVault", dependencies: ["ChaperoneSQLite", "COpenSSL"]),
        .target(
            name: "ChaperoneAudit",
            dependencies: ["ChaperoneClock", "ChaperoneSQLite", "COpenSSL", "CJansson"]
        ),
        .target(
            name: "ChaperoneServer",
            dependencies: [
                "CMicroHTTPD", "CChaperone", "COpenSSL", "ChaperoneClock", "ChaperoneConfig",
                "ChaperoneIdentity", "ChaperoneRouting", "ChaperoneUpstream", "ChaperoneAudit",
            ]
        ),
        .executableTarget(
            name: "chaperone",
            dependencies: [
                "ChaperoneConfig", "ChaperoneServer", "ChaperoneVault", "ChaperoneIdentity",
                "ChaperoneAudit", "CChaperone", "COpenSSL", "CTCMalloc",
            ]
        ),
        .target(
            name: "ChaperoneTestSupport",
            dependencies: ["CCurl", "CChaperone", "CSQLite"],
            exclude: ["Fixtures"]
        ),

        .testTarget(name: "ChaperoneRoutingTests", dependencies: ["ChaperoneRouting"]),
        .testTarget(
            name: "ChaperoneConfigTests",
            dependencies: ["ChaperoneConfig", "ChaperoneTestSupport"]
        ),
        .testTarget(name: "ChaperoneServerTests", dependencies: ["ChaperoneServer"]),
        .testTarget(
            name: "ChaperoneVaultTests",
            dependencies: ["ChaperoneVault", "CSQLite", "ChaperoneTestSupport"]
        ),
        .testTarget(name: "ChaperoneUpstreamTests", dependencies: ["ChaperoneUpstream"]),
        .testTarget(
            name: "ChaperoneAuditTests",
            dependencies: ["ChaperoneAudit", "CSQLite", "ChaperoneTestSupport"]
        ),
        .testTarget(
            name: "ChaperoneIdentityTests",
            dependencies: ["ChaperoneIdentity", "ChaperoneTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ChaperoneEndToEndTests",
            dependencies: ["chaperone", "ChaperoneAudit", "ChaperoneTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "GlewlwydFixtureTests", dependencies: ["ChaperoneTestSupport"]),
        // Checks of deploy/ by the tools that read those files.
        .testTarget(
            name: "DeployTests",
            dependencies: ["chaperone", "ChaperoneTestSupport"],
            exclude: ["Fixtures"]
        ),

        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "RouteMatchingBenchmark",
            dependencies: ["ChaperoneRouting", "BenchmarkSupport"],
            path: "Benchmarks/RouteMatching"
        ),
        .executableTarget(
            name: "TokenVerificationBenchmark",
            dependencies: ["ChaperoneIdentity", "BenchmarkSupport"],
            path: "Benchmarks/TokenVerification",
            exclude: ["mint.py"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
