/// Formats seconds since the epoch for people, without Foundation.
public enum Timestamp {
    /// `2026-12-03T10:00:00Z` for 1796292000: UTC, proleptic Gregorian calendar.
    public static func iso8601(_ seconds: Int64) -> String {
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let paddedYear = (0..<1000).contains(year) ? String("000\(year)".suffix(4)) : "\(year)"
        return "\(paddedYear)-\(pad(month))-\(pad(day))T\(pad(secondOfDay / 3600))"
            + ":\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))Z"
    }

    /// The calendar date of a day counted from 1970-01-01, after Howard Hinnant's
    /// `civil_from_days`: shift the year to start in March so the leap day comes last,
    /// then split into 400-year eras of 146097 days.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let (era, dayOfEra) = (days + 719_468).floorDivided(by: 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension Int64 {
    /// Quotient rounded towards negative infinity and a remainder in `0..<divisor`.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
