import HQCore

extension JSONValue {
    /// The value as text for a message: strings as-is, whole numbers without a fraction, booleans as
    /// `yes`/`no`, arrays of scalars joined by ", "; nil for null, empty text, objects and nested arrays.
    var mergeText: String? {
        switch self {
        case .string(let text):
            let trimmed = text.trimmed
            return trimmed.isEmpty ? nil : trimmed
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .bool(let flag): return flag ? "yes" : "no"
        case .array(let items):
            let parts = items.compactMap { item -> String? in
                if case .array = item { return nil }
                if case .object = item { return nil }
                return item.mergeText
            }
            return parts.isEmpty || parts.count != items.count ? nil : parts.joined(separator: ", ")
        case .object, .null: return nil
        }
    }
}
