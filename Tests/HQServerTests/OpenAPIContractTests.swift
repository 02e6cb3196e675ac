import Foundation
import HQCore
import HQKnowledge
import HQSearch
import HQTestSupport
import Testing

/// Issue 16: the OpenAPI document states the same fields, ranges, choices and defaults as the request types every
/// front decodes with (`SearchRequest.fields`, …), so the document cannot drift from what the server enforces.
@Suite("The OpenAPI document matches the request types")
struct OpenAPIContractTests {
    static var document: [String: Any] {
        let url = URL(fileURLWithPath: TestDatabase.packageRoot + "/docs/openapi.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }

    static func schema(_ name: String) -> [String: Any] {
        (((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    /// The query parameters of `GET path` by name.
    static func parameters(_ path: String) -> [String: [String: Any]] {
        let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?["get"] as? [String: Any]
        var result: [String: [String: Any]] = [:]
        for parameter in operation?["parameters"] as? [[String: Any]] ?? [] {
            if let name = parameter["name"] as? String { result[name] = parameter["schema"] as? [String: Any] ?? [:] }
        }
        return result
    }

    /// Every field is described, with the type, range, choices and default the request type enforces.
    static func check(_ fields: [RequestField], against properties: [String: [String: Any]], _ where: String) {
        for field in fields {
            guard let property = properties[field.name] else {
                Issue.record("\(`where`): '\(field.name)' is not in the OpenAPI document")
                continue
            }
            switch field.kind {
            case .integer(let range):
                #expect(property["type"] as? String == "integer", "\(`where`).\(field.name)")
                #expect(property["minimum"] as? Int == range.lowerBound, "\(`where`).\(field.name) minimum")
                #expect(property["maximum"] as? Int == range.upperBound, "\(`where`).\(field.name) maximum")
            case .number(let range):
                #expect(property["type"] as? String == "number", "\(`where`).\(field.name)")
                #expect(
                    (property["minimum"] as? NSNumber)?.doubleValue == range.lowerBound,
                    "\(`where`).\(field.name) minimum")
                #expect(
                    (property["maximum"] as? NSNumber)?.doubleValue == range.upperBound,
                    "\(`where`).\(field.name) maximum")
            case .choice(let options):
                #expect(Set(property["enum"] as? [String] ?? []) == Set(options), "\(`where`).\(field.name) choices")
            case .boolean:
                #expect(property["type"] as? String == "boolean", "\(`where`).\(field.name)")
            case .strings, .uuids:
                #expect(property["type"] as? String == "array", "\(`where`).\(field.name)")
            case .string, .uuid, .date:
                #expect(property["type"] as? String == "string", "\(`where`).\(field.name)")
            }
            if case .number(let n)? = field.defaultValue {
                #expect((property["default"] as? NSNumber)?.doubleValue == n, "\(`where`).\(field.name) default")
            }
        }
    }

    @Test("POST /v1/search and POST /v1/draft-sets bodies list every field with its range and choices")
    func bodies() {
        for (name, fields) in [("SearchRequest", SearchRequest.fields), ("DraftSetRequest", DraftSetRequest.fields)] {
            let properties = Self.schema(name)["properties"] as? [String: [String: Any]] ?? [:]
            #expect(!properties.isEmpty, "\(name) is missing from the document")
            Self.check(fields, against: properties, name)
            // Nothing the server refuses is advertised.
            let known = Set(fields.map(\.name))
            #expect(Set(properties.keys).subtracting(known).isEmpty, "\(name) lists fields the server refuses")
        }
    }

    @Test("GET /v1/sources/{id}/chunks and GET /v1/boot/{slug} parameters match their request types")
    func queryParameters() {
        Self.check(SourceChunksRequest.fields, against: Self.parameters("/v1/sources/{id}/chunks"), "chunks")
        Self.check(BootRequest.fields, against: Self.parameters("/v1/boot/{slug}"), "boot")
    }
}
