/// The string values of JSON text read without parsing its structure: for JSON nested deeper than the parser allows,
/// or cut off mid-way (a truncated save), which would otherwise lose all of its text.
///
/// One pass, no recursion, O(n). Escapes are decoded (`\n`, `\t`, `\uXXXX`; `\r` dropped); a string cut off at the
/// end still counts. Each value comes with the key it is the value of (nil for array elements).
///
/// ```swift
/// JSONStringScan.values(in: #"{"type":"text","text":"hi"}"#)   // [("type", "text"), ("text", "hi")]
/// ```
public enum JSONStringScan {
    /// One string value and its key.
    public struct Value: Sendable, Hashable {
        public var key: String?
        public var value: String
    }

    /// Every string value of `json` in order (keys themselves are not values).
    public static func values(in json: String) -> [Value] {
        var values: [Value] = []
        var literal = String.UnicodeScalarView()
        var inString = false
        var escaped = false
        var pending: String?  // the last string literal, until what follows says whether it was a key
        var pendingKey: String?  // the key of that literal, if it was a value
        var key: String?  // the key whose value comes next (after `:`)
        var scalars = json.unicodeScalars.makeIterator()
        func settle(isKey: Bool) {
            guard let text = pending else { return }
            if isKey { key = text } else { values.append(Value(key: pendingKey, value: text)) }
            pending = nil
        }
        while let scalar = scalars.next() {
            if inString {
                if escaped {
                    escaped = false
                    switch scalar {
                    case "n": literal.append("\n")
                    case "t": literal.append("\t")
                    case "r": break
                    case "u":
                        var hex = ""
                        for _ in 0..<4 { if let h = scalars.next() { hex.unicodeScalars.append(h) } }
                        if let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) {
                            literal.append(decoded)
                        }
                    default: literal.append(scalar)
                    }
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" {
                    inString = false
                    pending = String(literal)
                } else {
                    literal.append(scalar)
                }
                continue
            }
            switch scalar {
            case " ", "\n", "\t", "\r":
                continue
            case ":":
                settle(isKey: true)
            case "\"":
                settle(isKey: false)
                inString = true
                literal = .init()
                pendingKey = key
                key = nil
            default:
                settle(isKey: false)
                key = nil
            }
        }
        settle(isKey: false)
        if inString { values.append(Value(key: pendingKey, value: String(literal))) }
        return values
    }
}
