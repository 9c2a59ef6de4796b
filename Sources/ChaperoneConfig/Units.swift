/// Parsers for the unit-bearing scalars of the configuration: `30s`, `1h30m`, `64KiB`.
public enum Units {
    /// A duration written as number-unit pairs: `500ms`, `30s`, `5m`, `1h30m`.
    public static func duration(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits: Int64? = nil
        var unit = ""
        var any = false
        func flush() -> Bool {
            guard let value = digits else { return false }
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1_000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            default: return false
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: scale)
            guard !overflow, product <= Int64(Int32.max) * 1_000 else { return false }
            total += product
            any = true
            digits = nil
            unit = ""
            return true
        }
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                if !unit.isEmpty { guard flush() else { return nil } }
                let (shifted, overflow) = (digits ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                digits = shifted + Int64(digit)
            } else if character.isLetter && character.isASCII && digits != nil {
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), any else { return nil }
        return .milliseconds(total)
    }

    /// A byte count: a plain integer or one with `B`, `KiB`, `MiB`, `GiB` (powers of 1024)
    /// or `KB`, `MB`, `GB` (powers of 1000).
    static func byteCount(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let scale: Int
        switch text.dropFirst(digits.count) {
        case "", "B": scale = 1
        case "KiB": scale = 1 << 10
        case "MiB": scale = 1 << 20
        case "GiB": scale = 1 << 30
        case "KB": scale = 1_000
        case "MB": scale = 1_000_000
        case "GB": scale = 1_000_000_000
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }
}

extension Duration {
    /// Whole milliseconds, rounded down; what libcurl and the timers take.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
