import Foundation
import Testing

/// Paths and golden data shared by the tests.
enum Fixtures {
    /// The package root, found from this file's location (Tests/HQEmbeddingTests/Fixtures.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let modelDirectory = packageRoot.appendingPathComponent("models/all-MiniLM-L6-v2", isDirectory: true)
    static let goldenURL = packageRoot.appendingPathComponent("../shared/fixtures/minilm/golden.json")
        .standardizedFileURL

    struct GoldenFile: Decodable {
        let cases: [GoldenCase]
    }

    struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let truncated: Bool
        let tokenIDs: [Int]
        let embedding: [Double]

        enum CodingKeys: String, CodingKey {
            case name, text, truncated
            case tokenIDs = "token_ids"
            case embedding
        }

        var testDescription: String { name }
    }

    /// All golden cases; loaded once.
    static let golden: [GoldenCase] = {
        do {
            let data = try Data(contentsOf: goldenURL)
            return try JSONDecoder().decode(GoldenFile.self, from: data).cases
        } catch {
            fatalError("cannot load \(goldenURL.path): \(error)")
        }
    }()
}
