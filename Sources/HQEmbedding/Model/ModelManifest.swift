import Foundation
import HQCore

/// The pinned description of a model folder written by `scripts/setup`: `models/<name>.json` beside
/// `models/<name>/`, with `"files": {relative path: sha256}`, the model's `"model_id"`, and the options a
/// bare export does not carry (`"pooling"`, `"normalize"`, `"max_tokens"`, `"query_prefix"`, `"weights"`).
struct ModelManifest: Sendable {
    let url: URL
    let modelID: String?
    let files: [String: String]
    /// `mean` or `cls`, when stated.
    var pooling: String?
    /// `l2` or `none`, when stated.
    var normalize: String?
    /// Longest input in tokens, special tokens included, when stated.
    var maxTokens: Int?
    /// Text put before every query (never before passages), e.g. bge's retrieval instruction.
    var queryPrefix: String = ""
    /// The weights file in the folder (`model.safetensors` or `model.onnx`), when stated.
    var weights: String?

    /// The manifest next to `directory`, or nil if there is none.
    static func beside(_ directory: URL) throws(EmbeddingError) -> ModelManifest? {
        let dir = directory.standardizedFileURL
        let url = dir.deletingLastPathComponent().appendingPathComponent(dir.lastPathComponent + ".json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let files = object["files"] as? [String: String]
        else {
            throw EmbeddingError(
                .modelFileCorrupt, "\(url.path) has no \"files\" table", hint: EmbeddingError.setupHint)
        }
        var manifest = ModelManifest(url: url, modelID: object["model_id"] as? String, files: files)
        manifest.pooling = object["pooling"] as? String
        manifest.normalize = object["normalize"] as? String
        manifest.maxTokens = (object["max_tokens"] as? NSNumber)?.intValue
        manifest.queryPrefix = object["query_prefix"] as? String ?? ""
        if let weights = object["weights"] as? String {
            // A file name in the folder, never a path out of it.
            guard !weights.isEmpty, !weights.contains("/"), weights != "..", files[weights] != nil else {
                throw EmbeddingError(.modelFileCorrupt, "\(url.path): \"weights\" must name a file listed in \"files\"")
            }
            manifest.weights = weights
        }
        return manifest
    }

    /// Checks every listed file's SHA-256.
    /// - Throws: `.modelFileMissing` or `.integrityMismatch` naming the first bad file.
    func verify(directory: URL) throws(EmbeddingError) {
        for (relativePath, expected) in files.sorted(by: { $0.key < $1.key }) {
            let path = directory.appendingPathComponent(relativePath).path
            let file = try MappedFile(path: path)
            let actual = SHA256.hexDigest(file.bytes)
            guard actual == expected.lowercased() else {
                throw EmbeddingError(
                    .integrityMismatch, "\(path) has sha256 \(actual), \(url.lastPathComponent) pins \(expected)",
                    hint: EmbeddingError.setupHint)
            }
        }
    }
}
