import ChaperoneConfig
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// JSON lines on standard error: one per event, one per request. Every line is written with
/// a single `write(2)`, so lines from different threads never interleave.
public enum Log {
    public typealias Level = LogLevel

    /// Set in the environment, `CHAPERONE_LOG_LEVEL` wins over the configuration's
    /// `log.level`, so a deployment can be made verbose without editing its file.
    private static let environmentLevel =
        getenv("CHAPERONE_LOG_LEVEL").flatMap { Level(rawValue: String(cString: $0)) }

    private static let level = Atomic<Int>(
        Level.allCases.firstIndex(of: environmentLevel ?? .info)!)

    /// Events below this level are not written; info by default. Request lines are info,
    /// or debug for a request denied or held.
    public static var minimumLevel: Level {
        Level.allCases[level.load(ordering: .relaxed)]
    }

    /// `CHAPERONE_LOG_LEVEL` when it is set to something that is not a level, for a warning.
    public static var unusableEnvironmentLevel: String? {
        guard let raw = getenv("CHAPERONE_LOG_LEVEL"), environmentLevel == nil else { return nil }
        return String(String(cString: raw).prefix(32))
    }

    /// Applies `log.level` from a configuration, unless the environment set the level.
    public static func configure(_ configured: Level) {
        guard environmentLevel == nil else { return }
        level.store(Level.allCases.firstIndex(of: configured)!, ordering: .relaxed)
    }

    /// Logs an event. Field values are text chosen by Chaperone: never put a header value,
    /// token or secret here.
    public static func event(_ level: Level, _ message: String,
                             _ fields: KeyValuePairs<String, String> = [:])
    {
        guard level >= minimumLevel else { return }
        writeEvent(level, message, fields)
    }

    /// Logs an info event at any level: the start-up and reload lines, which say what runs
    /// and which file is live, must not vanish with a quieter level.
    public static func always(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        writeEvent(.info, message, fields)
    }

    private static func writeEvent(_ level: Level, _ message: String,
                                   _ fields: KeyValuePairs<String, String>)
    {
        var json = JSONText()
        json.beginObject()
        var timestamp = TimestampFormatter()
        json.field("ts", timestamp: &timestamp)
        json.field("level", level.rawValue)
        json.field("msg", message)
        for (key, value) in fields { json.field(dynamicKey: key, value) }
        json.endObject()
        json.newline()
        write(json.bytes)
    }

    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// Wall-clock time as RFC 3339 in UTC with milliseconds, formatted without Foundation. The
/// date and time up to the second are formatted once per second and reused.
struct TimestampFormatter {
    private var second = -1
    private var prefix: [UInt8] = []

    mutating func write(into bytes: inout [UInt8]) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        if time.tv_sec != second { formatSecond(time.tv_sec) }
        bytes.append(contentsOf: prefix)
        let milliseconds = Int(time.tv_nsec / 1_000_000)
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds % 10))
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS.`
    private mutating func formatSecond(_ seconds: Int) {
        second = seconds
        var value = seconds
        var parts = tm()
        gmtime_r(&value, &parts)
        prefix.removeAll(keepingCapacity: true)
        func digits(_ number: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                prefix.append(UInt8(ascii: "0") + UInt8(number / divisor % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        prefix.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        prefix.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        prefix.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        prefix.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        prefix.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        prefix.append(UInt8(ascii: "."))
    }
}
