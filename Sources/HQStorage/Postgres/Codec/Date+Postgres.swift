public import Foundation

/// `Date` is sent as `timestamptz` (microseconds since 2000-01-01 UTC, so sub-microsecond parts are
/// rounded) and reads timestamptz and timestamp (taken as UTC). `±infinity` map to
/// `Date.distantFuture` / `Date.distantPast`.
extension Date: PostgresEncodable, PostgresDecodable {
    /// Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
    private static let postgresEpoch: TimeInterval = 946_684_800

    public static var postgresType: PostgresDataType { .timestamptz }

    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        let micros = ((timeIntervalSince1970 - Date.postgresEpoch) * 1_000_000).rounded()
        guard let value = Int64(exactly: micros) else {
            throw PostgresError(.encoding, message: "date out of range for timestamptz")
        }
        buffer.writeInteger(value)
    }

    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Date {
        guard buffer.typeOID == OID.timestamptz || buffer.typeOID == OID.timestamp else {
            throw buffer.typeMismatch(Date.self)
        }
        let micros = try buffer.readInteger(as: Int64.self)
        switch micros {
        case .max: return .distantFuture
        case .min: return .distantPast
        default:
            // Split to keep microsecond precision for dates far from the epoch.
            let (seconds, remainder) = micros.quotientAndRemainder(dividingBy: 1_000_000)
            return Date(
                timeIntervalSince1970: postgresEpoch + TimeInterval(seconds) + TimeInterval(remainder) / 1_000_000)
        }
    }
}
