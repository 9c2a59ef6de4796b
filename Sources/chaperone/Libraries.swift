import CCurl
import CMicroHTTPD
import COpenSSL
import CTCMalloc

/// The C libraries Chaperone runs on, as loaded, for `chaperone version`.
///
/// The allocator is tcmalloc (Debian's libtcmalloc-minimal4), linked into the executable so
/// that it serves every `malloc`, libcurl's and libmicrohttpd's included. A proxied request
/// makes dozens of small allocations across three libraries; with glibc's allocator they
/// spilled out of its per-thread cache under load, and tcmalloc took 4 to 9 % off the CPU
/// time per request in paired runs (docs/benchmarks.md).
enum Libraries {
    static var versions: [String] {
        [
            "libmicrohttpd " + String(cString: MHD_get_version()),
            // "libcurl/7.88.1 OpenSSL/3.0.19 ...": the first word is libcurl's own.
            (String(cString: curl_version()).split(separator: " ").first.map(String.init)
                ?? "libcurl").replacing("/", with: " "),
            String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))),
            "tcmalloc from " + String(cString: tc_version(nil, nil, nil)),
        ]
    }
}
