public import HQCore
public import MCP

/// A tool call's arguments: the same ``RequestFields`` HTTP and the CLI read, so a bad value gets the same words
/// from every front (the registry words a ``RequestFieldError`` as `Invalid argument 'name': problem.`).
public typealias ToolArguments = RequestFields

extension RequestFields {
    /// The arguments of a call (nil: none).
    public init(arguments: [String: Value]?) {
        self.init((arguments ?? [:]).mapValues(JSONValue.init(mcp:)))
    }
}

extension JSONValue {
    /// An MCP value as JSON (integers become numbers; binary data its base64 text).
    init(mcp value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .data(_, let data): self = .string(data.base64EncodedString())
        case .array(let items): self = .array(items.map(JSONValue.init(mcp:)))
        case .object(let members): self = .object(members.mapValues(JSONValue.init(mcp:)))
        }
    }
}

extension JSONSchema {
    /// The input schema of a request type's fields (their ranges, choices, defaults and descriptions).
    public static func object(fields: [RequestField], renaming: [String: String] = [:]) -> Value {
        var properties: [String: Value] = [:]
        for field in fields {
            let defaultValue = field.defaultValue
            let property: Value
            switch field.kind {
            case .string:
                property = string(field.summary, default: defaultValue?.string.flatMap { $0.isEmpty ? nil : $0 })
            case .strings: property = strings(field.summary)
            case .boolean:
                if case .bool(let flag)? = defaultValue {
                    property = boolean(field.summary, default: flag)
                } else {
                    property = boolean(field.summary)
                }
            case .integer(let range):
                var defaultNumber: Int?
                if case .number(let n)? = defaultValue { defaultNumber = Int(n) }
                property = integer(
                    field.summary, minimum: range.lowerBound, maximum: range.upperBound, default: defaultNumber)
            case .number(let range):
                property = number(field.summary, minimum: range.lowerBound, maximum: range.upperBound)
            case .choice(let options): property = string(field.summary, choices: options, default: defaultValue?.string)
            case .uuid: property = string(field.summary, format: "uuid")
            case .uuids: property = strings(field.summary, format: "uuid")
            case .date: property = string(field.summary, format: "date-time")
            }
            properties[field.name] = property
        }
        return object(properties: properties, required: fields.filter(\.required).map(\.name))
    }
}
