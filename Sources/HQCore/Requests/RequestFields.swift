public import Foundation

/// A request's fields as every front receives them: an HTTP body or query string, an MCP tool call's arguments, or
/// the flags `hq` fills in. Request types (``RequestDecodable``) read them through the typed accessors below, so the
/// same value is accepted or refused with the same words whichever front it came through.
///
/// One policy for all fronts (agents send loosely typed JSON, query strings carry only text):
/// - absent and `null` read as nil (or empty);
/// - integers and numbers also accept numeric strings; booleans also `"true"`/`"false"`;
/// - a list of strings also accepts one string; empty strings in a list are refused;
/// - choices are case-insensitive;
/// - text never holds U+0000 (PostgreSQL text cannot) and is at most ``maxTextBytes`` long unless said otherwise.
///
/// ```swift
/// let fields = try RequestFields(json: body)              // HTTP
/// let limit = try fields.int("limit", in: 1...1000) ?? 10  // "'limit' must be an integer from 1 to 1000"
/// ```
public struct RequestFields: Sendable, Hashable {
    /// The longest text accepted by default, in UTF-8 bytes.
    public static let maxTextBytes = 20_000

    /// The raw values by wire name (snake_case).
    public private(set) var values: [String: JSONValue]

    /// Fields from decoded values (MCP arguments, or built by the CLI).
    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// Fields from a JSON object (an HTTP body).
    /// - Throws: ``RequestFieldError`` with field `body` when it is not a JSON object.
    public init(json data: Data) throws(RequestFieldError) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let object) = value else {
            throw RequestFieldError(field: "body", problem: "must be a JSON object")
        }
        self.values = object
    }

    /// Fields from query-string pairs (every value is text; the typed accessors parse it). A key given twice is
    /// refused rather than silently losing one of the values.
    public init(query pairs: [(String, String)]) throws(RequestFieldError) {
        var values: [String: JSONValue] = [:]
        for (key, value) in pairs {
            guard values[key] == nil else { throw RequestFieldError(field: key, problem: "must be given once") }
            values[key] = .string(value)
        }
        self.values = values
    }

    /// Sets a field (nil removes it). The CLI fills fields from its flags with this.
    public mutating func set(_ name: String, _ value: JSONValue?) {
        values[name] = value
    }

    /// Sets a text field unless `text` is nil.
    public mutating func set(_ name: String, _ text: String?) { set(name, text.map(JSONValue.string)) }
    /// Sets a list field unless `texts` is empty.
    public mutating func set(_ name: String, _ texts: [String]) {
        set(name, texts.isEmpty ? nil : JSONValue.array(texts.map(JSONValue.string)))
    }
    /// Sets a boolean field unless `flag` is nil.
    public mutating func set(_ name: String, _ flag: Bool?) { set(name, flag.map(JSONValue.bool)) }
    /// Sets a number field unless `number` is nil.
    public mutating func set(_ name: String, _ number: Int?) { set(name, number.map { JSONValue.number(Double($0)) }) }
    /// Sets a number field unless `number` is nil.
    public mutating func set(_ name: String, _ number: Double?) { set(name, number.map(JSONValue.number)) }

    /// The value of `name`, nil when absent or `null`.
    public subscript(name: String) -> JSONValue? {
        guard let value = values[name], value != .null else { return nil }
        return value
    }

    /// Refuses any field not in `fields`, so a misspelt name is an error instead of being ignored.
    public func rejectUnknown(_ fields: [RequestField]) throws(RequestFieldError) {
        let known = Set(fields.map(\.name))
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            let accepted = fields.map(\.name).joined(separator: ", ")
            throw RequestFieldError(field: unknown, problem: "is not a known field (accepted: \(accepted))")
        }
    }

    // MARK: - Typed accessors

    /// A text field (no NUL, at most `maxBytes` UTF-8 bytes).
    public func string(_ name: String, maxBytes: Int = RequestFields.maxTextBytes) throws(RequestFieldError) -> String?
    {
        guard let value = self[name] else { return nil }
        guard case .string(let text) = value else { throw RequestFieldError(field: name, problem: "must be a string") }
        try Self.check(text, name, maxBytes: maxBytes)
        return text
    }

    /// A text field that must be present and not blank.
    public func requiredString(_ name: String, maxBytes: Int = RequestFields.maxTextBytes) throws(RequestFieldError)
        -> String
    {
        guard let text = try string(name, maxBytes: maxBytes),
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { throw RequestFieldError(field: name, problem: "is required and must be a non-empty string") }
        return text
    }

    /// A list of strings (one string reads as a list of one); empty strings are refused.
    public func strings(_ name: String, maxBytes: Int = 1_000) throws(RequestFieldError) -> [String] {
        guard let value = self[name] else { return [] }
        let items: [JSONValue]
        switch value {
        case .string: items = [value]
        case .array(let array): items = array
        default: throw RequestFieldError(field: name, problem: "must be an array of strings")
        }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else {
                throw RequestFieldError(field: name, problem: "must be an array of strings")
            }
            guard !text.isEmpty else { throw RequestFieldError(field: name, problem: "must not contain empty strings") }
            try Self.check(text, name, maxBytes: maxBytes)
            texts.append(text)
        }
        return texts
    }

    /// A boolean (`true`/`false`, or those words as text).
    public func bool(_ name: String) throws(RequestFieldError) -> Bool? {
        guard let value = self[name] else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text) where text.lowercased() == "true": return true
        case .string(let text) where text.lowercased() == "false": return false
        default: throw RequestFieldError(field: name, problem: "must be true or false")
        }
    }

    /// An integer within `range` (a whole number, or its digits as text).
    public func int(_ name: String, in range: ClosedRange<Int>) throws(RequestFieldError) -> Int? {
        guard let value = self[name] else { return nil }
        let number: Int?
        switch value {
        case .number(let d): number = d.rounded() == d && abs(d) < 1e15 ? Int(d) : nil
        case .string(let s): number = Int(s.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number, range.contains(number) else {
            throw RequestFieldError(
                field: name, problem: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A finite number within `range` (or its digits as text).
    public func double(_ name: String, in range: ClosedRange<Double>) throws(RequestFieldError) -> Double? {
        guard let value = self[name] else { return nil }
        let number: Double?
        switch value {
        case .number(let d): number = d
        case .string(let s): number = Double(s.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number, number.isFinite, range.contains(number) else {
            throw RequestFieldError(
                field: name,
                problem: "must be a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
        }
        return number
    }

    /// One of a `String`-backed enum's cases (case-insensitive).
    public func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(RequestFieldError)
        -> T?
    where T.RawValue == String {
        guard let text = try string(name, maxBytes: 100) else { return nil }
        if let choice = T(rawValue: text.lowercased()) { return choice }
        throw RequestFieldError(field: name, problem: "must be " + Self.alternatives(T.allCases.map(\.rawValue)))
    }

    /// A UUID.
    public func uuid(_ name: String) throws(RequestFieldError) -> UUID? {
        guard let text = try string(name, maxBytes: 100)?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw RequestFieldError(field: name, problem: "must be a UUID, got \"\(text.prefix(60))\"")
        }
        return id
    }

    /// A list of UUIDs.
    public func uuids(_ name: String) throws(RequestFieldError) -> [UUID] {
        var ids: [UUID] = []
        for text in try strings(name, maxBytes: 100) {
            guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
                throw RequestFieldError(field: name, problem: "must hold UUIDs, got \"\(text.prefix(60))\"")
            }
            ids.append(id)
        }
        return ids
    }

    /// An ISO 8601 date (`2025-01-31`) or date-time (`2025-01-31T12:00:00Z`, fractional seconds allowed).
    public func date(_ name: String) throws(RequestFieldError) -> Date? {
        guard let text = try string(name, maxBytes: 100)?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard let date = ISODate.parse(text) else {
            throw RequestFieldError(
                field: name, problem: "must be an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z")
        }
        return date
    }

    // MARK: - Helpers

    /// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
    public static func alternatives(_ options: [String]) -> String {
        let quoted = options.map { "\"\($0)\"" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    private static func check(_ text: String, _ name: String, maxBytes: Int) throws(RequestFieldError) {
        if text.unicodeScalars.contains("\u{0}") {
            throw RequestFieldError(field: name, problem: "must not contain NUL characters")
        }
        if text.utf8.count > maxBytes {
            throw RequestFieldError(field: name, problem: "must be at most \(maxBytes) bytes")
        }
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A field of a request that is missing, of the wrong type or out of range: the field's wire name and the problem.
/// Each front words the name its own way (`'limit'` over HTTP, `Invalid argument 'limit'` over MCP, `--limit` in
/// the CLI); the problem is the same text everywhere.
public struct RequestFieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's wire name (snake_case), e.g. `chunks_per_source`.
    public let field: String
    /// What is wrong, starting lower-case: `must be an integer from 1 to 50`.
    public let problem: String

    /// Creates an error.
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `'field' problem`.
    public var description: String { "'\(field)' \(problem)" }
}

/// ISO 8601 dates and date-times, the one parser every front uses.
public enum ISODate {
    /// `2025-01-31`, `2025-01-31T12:00:00Z`, `2025-01-31T12:00:00.250+02:00`; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
