/// A time as `audit query --since/--until` take it, in milliseconds since the Unix
/// epoch: an RFC 3339 time (`2026-03-01T12:00:00Z`, `2026-03-01T13:00:00.250+01:00`), a
/// date (`2026-03-01`, midnight UTC), or a duration ago (`90s`, `15m`, `1h30m`, `2d`, `1w`).
public enum AuditTime {
    public static let expected = "expected an RFC 3339 time such as 2026-03-01T12:00:00Z, a date "
        + "such as 2026-03-01, or a duration ago such as 30m, 1h or 2d"

    public static func parse(_ text: String, now: Int64) -> Int64? {
        if let ago = duration(text) { return now - ago }
        return rfc3339(Array(text.utf8))
    }

    /// Number-unit pairs: `ms`, `s`, `m`, `h`, `d`, `w`.
    static func duration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1_000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            case "w": scale = 604_800_000
            default: return nil
            }
            guard digits.count <= 9, let value = Int64(digits) else { return nil }
            total += value * scale
        }
        return total
    }

    private static func rfc3339(_ text: [UInt8]) -> Int64? {
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= text.count else { return nil }
            var value: Int64 = 0
            for byte in text[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), text.count > 9, text[4] == UInt8(ascii: "-"),
              let month = number(5..<7), text[7] == UInt8(ascii: "-"),
              let day = number(8..<10), (1...12).contains(month),
              (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let midnight = daysFromCivil(year: year, month: month, day: day) * 86_400_000
        if text.count == 10 { return midnight }

        guard text.count >= 20, [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(text[10]),
              let hour = number(11..<13), text[13] == UInt8(ascii: ":"),
              let minute = number(14..<16), text[16] == UInt8(ascii: ":"),
              let second = number(17..<19), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var milliseconds: Int64 = 0
        if text[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < text.count, (0x30...0x39).contains(text[index]) { index += 1 }
            guard index > start else { return nil }
            let fraction = text[start..<min(index, start + 3)].map { Int64($0 - 0x30) }
            milliseconds = (fraction + [0, 0, 0]).prefix(3).reduce(0) { $0 * 10 + $1 }
        }
        var offset: Int64 = 0
        guard index < text.count else { return nil }
        if [UInt8(ascii: "Z"), UInt8(ascii: "z")].contains(text[index]) {
            index += 1
        } else {
            let sign: Int64 = text[index] == UInt8(ascii: "+") ? 1
                : text[index] == UInt8(ascii: "-") ? -1 : 0
            guard sign != 0, let hours = number(index + 1..<index + 3),
                  index + 3 < text.count, text[index + 3] == UInt8(ascii: ":"),
                  let minutes = number(index + 4..<index + 6), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 60 + minutes) * 60_000
            index += 6
        }
        guard index == text.count else { return nil }
        return midnight + ((hour * 60 + minute) * 60 + min(second, 59)) * 1_000
            + milliseconds - offset
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar, after Howard
    /// Hinnant's `days_from_civil`: the year starts in March so the leap day comes last.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
