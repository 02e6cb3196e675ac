import Foundation

/// What an asset's `file_url` names, read without trusting it.
public enum FileReference: Sendable, Hashable {
    /// An `http` or `https` URL (a link asset, or a signed/public storage URL).
    case link(String)
    /// A local file: an absolute path, or a `file://` URL with its percent escapes decoded.
    case local(path: String)
    /// A relative path: an object in the storage bucket (`<asset_id>/<file name>`).
    case object(path: String)
    /// Anything else (another scheme, control characters, a `file://` URL naming another host); the reason.
    case refused(String)

    /// Classifies `text` (surrounding whitespace ignored).
    public init(_ text: String) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            self = .refused("the file reference contains control characters")
            return
        }
        if let scheme = Self.scheme(of: value) {
            switch scheme {
            case "http", "https":
                self = .link(value)
            case "file":
                guard let components = URLComponents(string: value) else {
                    self = .refused("the file:// URL is malformed")
                    return
                }
                let host = components.host ?? ""
                guard host.isEmpty || host.lowercased() == "localhost" else {
                    self = .refused("file:// URLs may not name another host")
                    return
                }
                guard let path = components.percentEncodedPath.removingPercentEncoding, path.hasPrefix("/"),
                    !path.contains("\u{0}")
                else {
                    self = .refused("the file:// URL has no absolute path")
                    return
                }
                self = .local(path: path)
            default:
                self = .refused(
                    "the scheme \(scheme): is not allowed (http, https, file paths under an allowed root, storage objects)"
                )
            }
            return
        }
        if value.hasPrefix("/") {
            self = .local(path: value)
        } else if value.isEmpty {
            self = .refused("the file reference is empty")
        } else {
            self = .object(path: value)
        }
    }

    /// The lower-cased scheme when `text` starts with `scheme:` (letters, digits, `+-.`, at least two characters so
    /// a Windows drive letter is not read as one).
    static func scheme(of text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        guard scheme.count >= 2, let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// The reference as it may appear in chunk text and errors: a URL without credentials, query or fragment
    /// (signed URLs carry their token there), a path as is.
    public static func display(_ text: String) -> String {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let scheme = scheme(of: value) else { return value.filter { !$0.isNewline } }
        guard var components = URLComponents(string: value) else {
            // Unparsable: keep only what precedes any query, fragment or credentials.
            let cut = value.split(whereSeparator: { "?#".contains($0) }).first.map(String.init) ?? ""
            return cut.contains("@") ? "\(scheme)://…" : cut
        }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "\(scheme)://…"
    }
}
