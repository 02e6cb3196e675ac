public import Foundation
public import MCP

/// A tool call's arguments with typed accessors whose errors name the argument.
///
/// Absent and `null` arguments read as nil (or empty). Agents often send a number as a string or one
/// string where a list is expected, so integers and numbers also accept numeric strings, and string lists
/// also accept a single string; anything else of the wrong type is an ``MCPToolError/Code/invalidArgument``.
public struct ToolArguments: Sendable, Hashable {
    /// The raw arguments.
    public let values: [String: Value]

    /// Wraps a call's arguments (nil: none).
    public init(_ values: [String: Value]?) {
        self.values = values ?? [:]
    }

    /// The argument's value, nil when absent or `null`.
    public subscript(name: String) -> Value? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    /// A string argument.
    public func string(_ name: String) throws(MCPToolError) -> String? {
        guard let value = self[name] else { return nil }
        guard let text = value.stringValue else { throw .invalidArgument(name, "must be a string") }
        return text
    }

    /// A string argument that must be present and not blank.
    public func requiredString(_ name: String) throws(MCPToolError) -> String {
        guard let text = try string(name), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidArgument(name, "is required and must be a non-empty string")
        }
        return text
    }

    /// A list of strings (a single string reads as a list of one); empty strings are rejected.
    public func strings(_ name: String) throws(MCPToolError) -> [String] {
        guard let value = self[name] else { return [] }
        if let text = value.stringValue { return try nonEmpty([text], name) }
        guard let items = value.arrayValue else { throw .invalidArgument(name, "must be an array of strings") }
        var texts: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw .invalidArgument(name, "must be an array of strings") }
            texts.append(text)
        }
        return try nonEmpty(texts, name)
    }

    /// A boolean argument (`true`/`false`; the strings "true"/"false" too).
    public func bool(_ name: String) throws(MCPToolError) -> Bool? {
        guard let value = self[name] else { return nil }
        if let flag = value.boolValue { return flag }
        switch value.stringValue?.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .invalidArgument(name, "must be true or false")
        }
    }

    /// An integer argument within `range`.
    public func int(_ name: String, in range: ClosedRange<Int>) throws(MCPToolError) -> Int? {
        guard let value = self[name] else { return nil }
        let problem = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
        let number: Int?
        switch value {
        case .int(let n): number = n
        case .double(let d): number = d.rounded() == d && abs(d) < 1e15 ? Int(d) : nil
        case .string(let s): number = Int(s.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number, range.contains(number) else { throw .invalidArgument(name, problem) }
        return number
    }

    /// A number argument within `range`.
    public func double(_ name: String, in range: ClosedRange<Double>) throws(MCPToolError) -> Double? {
        guard let value = self[name] else { return nil }
        let problem = "must be a number from \(range.lowerBound) to \(range.upperBound)"
        let number: Double?
        switch value {
        case .int(let n): number = Double(n)
        case .double(let d): number = d
        case .string(let s): number = Double(s.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number, number.isFinite, range.contains(number) else { throw .invalidArgument(name, problem) }
        return number
    }

    /// One of a fixed set of strings, e.g. a `String`-backed enum's cases.
    public func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(MCPToolError) -> T?
    where T.RawValue == String {
        guard let text = try string(name) else { return nil }
        if let choice = T(rawValue: text.lowercased()) { return choice }
        let options = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        throw .invalidArgument(name, "must be one of \(options)")
    }

    /// A UUID argument, returned as given (trimmed).
    public func uuidString(_ name: String, required: Bool) throws(MCPToolError) -> String? {
        guard let text = try string(name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            if required {
                throw .invalidArgument(name, "is required: a UUID such as a source_id from search_knowledge")
            }
            return nil
        }
        guard UUID(uuidString: text) != nil else {
            throw .invalidArgument(name, "must be a UUID, got \"\(text.prefix(60))\"")
        }
        return text
    }

    /// A list of UUIDs.
    public func uuids(_ name: String) throws(MCPToolError) -> [UUID] {
        var ids: [UUID] = []
        for text in try strings(name) {
            guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidArgument(name, "must hold UUIDs, got \"\(text.prefix(60))\"")
            }
            ids.append(id)
        }
        return ids
    }

    /// An ISO 8601 date (`2025-01-31`) or date-time (`2025-01-31T12:00:00Z`).
    public func date(_ name: String) throws(MCPToolError) -> Date? {
        guard let text = try string(name)?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw .invalidArgument(name, "must be an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z")
    }

    private func nonEmpty(_ texts: [String], _ name: String) throws(MCPToolError) -> [String] {
        guard !texts.contains(where: \.isEmpty) else { throw .invalidArgument(name, "must not contain empty strings") }
        return texts
    }
}
