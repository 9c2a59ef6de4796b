import ChaperoneConfig
#if canImport(Glibc)
import Glibc
#endif

/// `chaperone check`: loads the configuration exactly as `serve` would, without binding.
enum CheckCommand {
    static func run(configPath: String) -> Int32 {
        do {
            let configuration = try loader().load(path: configPath)
            for warning in configuration.warnings {
                CommandLineInterface.printError(warning.description)
            }
            print("\(configPath): ok, \(configuration.routes.count) route"
                + (configuration.routes.count == 1 ? "" : "s"))
            return 0
        } catch {
            CommandLineInterface.printError(error.description)
            if let hint = DemoStateHint.text(configPath: configPath, problems: error.problems) {
                CommandLineInterface.printError(hint)
            }
            return 1
        }
    }

    static func loader() -> ConfigLoader {
        ConfigLoader(defaultWorkers: max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }
}
