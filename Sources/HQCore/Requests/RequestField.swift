/// The description of one field of a request type: its wire name, what values it takes and what it means. The MCP
/// input schemas are built from these, the CLI help takes their ranges, and a test holds the OpenAPI document to
/// them, so a range or a choice is written once, next to the request type that enforces it.
public struct RequestField: Sendable {
    /// The values a field takes.
    public enum Kind: Sendable {
        case string
        case strings
        case boolean
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case choice([String])
        case uuid
        case uuids
        case date
    }

    /// The wire name (snake_case).
    public let name: String
    /// The values it takes.
    public let kind: Kind
    /// What it means, for people and agents (a sentence or two).
    public let summary: String
    /// The value used when it is absent, if any.
    public let defaultValue: JSONValue?
    /// Whether a request without it is refused.
    public let required: Bool

    /// Creates a field description.
    public init(
        _ name: String, _ kind: Kind, _ summary: String, default defaultValue: JSONValue? = nil, required: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.defaultValue = defaultValue
        self.required = required
    }

    /// The summary with the accepted values appended, for CLI help: `Most sources to return (1-1000).` (the CLI shows
    /// defaults itself).
    public var help: String {
        var notes: [String] = []
        switch kind {
        case .integer(let range): notes.append("\(range.lowerBound)-\(range.upperBound)")
        case .number(let range): notes.append("\(range.lowerBound)-\(range.upperBound)")
        case .choice(let options): notes.append(options.joined(separator: ", "))
        default: break
        }
        let text = summary.hasSuffix(".") ? String(summary.dropLast()) : summary
        return notes.isEmpty ? text + "." : text + " (" + notes.joined(separator: "; ") + ")."
    }
}

extension [RequestField] {
    /// The field named `name` (a programming error when there is none).
    public subscript(name: String) -> RequestField {
        guard let field = first(where: { $0.name == name }) else { preconditionFailure("no request field \(name)") }
        return field
    }
}

/// A request every front builds from ``RequestFields``: HTTP and MCP from their JSON, the CLI from its flags.
public protocol FieldDecodable: Sendable {
    /// Every field the request accepts (anything else is refused).
    static var fields: [RequestField] { get }
    /// Reads, checks and normalises the fields, with the defaults of ``fields``.
    init(fields: RequestFields) throws(RequestFieldError)
}
