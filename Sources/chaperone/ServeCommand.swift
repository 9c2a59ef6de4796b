import CChaperone
import CCurl
import ChaperoneConfig
import ChaperoneServer
#if canImport(Glibc)
import Glibc
#endif

/// `chaperone serve`: runs the proxy until SIGTERM or SIGINT, reloading on SIGHUP.
enum ServeCommand {
    static func run(configPath: String) -> Int32 {
        // No core file may carry a secret; this also keeps other users' debuggers out.
        chaperone_disable_core_dumps()
        FatalSignals.install()
        // Signals are blocked in every thread (threads inherit the mask) and taken here
        // with sigwait, so no handler runs in an arbitrary thread.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGHUP, SIGTERM, SIGINT] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))

        let configuration: Configuration
        do {
            configuration = try CheckCommand.loader().load(path: configPath)
        } catch {
            for problem in error.problems {
                Log.event(problem.severity == .error ? .error : .warning,
                          "configuration: \(problem)")
            }
            Log.event(.error, "not started: the configuration is invalid", ["config": configPath])
            return 1
        }
        if let unusable = Log.unusableEnvironmentLevel {
            Log.event(.warning, "CHAPERONE_LOG_LEVEL is not debug, info, warning or error; "
                + "log.level applies", ["value": unusable])
        }
        for warning in configuration.warnings {
            Log.event(.warning, "configuration: \(warning)")
        }

        let server: ProxyServer
        do {
            server = try ProxyServer(configuration: configuration)
        } catch {
            Log.event(.error, "not started: \(error)", ["config": configPath])
            return 1
        }
        Log.always("listening", [
            "proxy": server.proxyAddress.description,
            "admin": server.adminAddress?.description ?? "off",
            "routes": String(configuration.routes.count),
            "workers": String(configuration.workers),
            "config": configPath,
            "config_digest": configuration.digest,
            "version": CommandLineInterface.version,
        ])
        Log.configure(configuration.logLevel)

        while true {
            var received: Int32 = 0
            guard sigwait(&signals, &received) == 0 else { continue }
            if received == SIGHUP {
                reload(server, configPath: configPath)
                continue
            }
            Log.event(.info, "draining", ["signal": received == SIGTERM ? "SIGTERM" : "SIGINT"])
            server.drain()
            Log.event(.info, "stopped")
            return 0
        }
    }

    /// Reloads on SIGHUP, whether it came from outside or from the admin listener's
    /// `POST /reload`, which waits for the result.
    private static func reload(_ server: ProxyServer, configPath: String) {
        let ticket = server.reloads.begin()
        let configuration: Configuration
        do {
            configuration = try CheckCommand.loader().load(path: configPath)
        } catch {
            let problems = error.problems.filter { $0.severity == .error }
            for problem in problems {
                Log.event(.error, "configuration: \(problem)")
            }
            Log.event(.error, "reload refused: the new configuration is invalid; still serving "
                + "the previous one", ["config": configPath])
            server.reloads.finish(ticket, .refused(problems.map(\.description)))
            return
        }
        let restartOnly = server.reload(configuration)
        Log.configure(configuration.logLevel)
        Log.always("reloaded", ["routes": String(configuration.routes.count),
                                "config": configPath, "config_digest": configuration.digest])
        server.reloads.finish(ticket, .reloaded(routes: configuration.routes.count,
                                                digest: configuration.digest,
                                                restartOnly: restartOnly))
        if !restartOnly.isEmpty {
            Log.event(.warning, "changed settings take effect only after a restart",
                      ["settings": restartOnly.joined(separator: ",")])
        }
    }
}
