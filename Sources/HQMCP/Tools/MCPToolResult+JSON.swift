import Foundation
import HQSearch

extension MCPToolResult {
    /// A short readable summary, then `value` as compact JSON in HQ Search's stable encoding
    /// (``SearchJSON``: the bytes `hq … --json` prints and the HTTP API answers).
    public static func json(_ value: some Encodable, summary: String) throws -> MCPToolResult {
        let data = try SearchJSON.encoder().encode(value)
        return MCPToolResult(texts: [summary, String(decoding: data, as: UTF8.self)])
    }
}
