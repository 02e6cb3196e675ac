/// Removes passwords from text that may echo a connection string (libpq messages, URLs in errors).
enum Redaction {
    /// Replaces `password=…` (conninfo, quoted or not, and URL query parameters) and the password part
    /// of `scheme://user:password@host` with `***`.
    static func redact(_ text: String) -> String {
        guard text.contains("password") || text.contains("://") else { return text }
        var result = text.replacing(
            #/(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/#,
            with: { match in "\(match.output.1)***" })
        result = result.replacing(
            #/([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):[^@\s]*@/#,
            with: { match in "\(match.output.1):***@" })
        return result
    }
}
