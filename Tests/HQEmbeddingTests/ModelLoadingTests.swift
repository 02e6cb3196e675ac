import Foundation
import HQEmbedding
import Logging
import Testing

/// A scratch copy of the model folder (small files copied, weights linked) that a test may damage.
private struct ScratchModel {
    let root: URL
    let directory: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hq-embed-test-\(UUID().uuidString)")
        directory = root.appendingPathComponent("all-MiniLM-L6-v2", isDirectory: true)
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        let source = Fixtures.modelDirectory
        for file in [
            "config.json", "vocab.txt", "sentence_bert_config.json", "modules.json", "1_Pooling/config.json",
            "tokenizer_config.json", "special_tokens_map.json",
        ] {
            try fm.copyItem(at: source.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        try fm.createSymbolicLink(
            at: directory.appendingPathComponent("model.safetensors"),
            withDestinationURL: source.appendingPathComponent("model.safetensors"))
        try fm.copyItem(
            at: source.deletingLastPathComponent().appendingPathComponent("all-MiniLM-L6-v2.json"),
            to: root.appendingPathComponent("all-MiniLM-L6-v2.json"))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func load(verify: Bool = false) throws -> NativeEmbedder {
        var configuration = NativeEmbedder.Configuration()
        configuration.verifyIntegrity = verify
        return try NativeEmbedder(
            modelDirectory: directory, configuration: configuration, logger: Logger(label: "test"))
    }

    func replaceWeights(with bytes: Data) throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: url)
        try bytes.write(to: url)
    }

    func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        let url = directory.appendingPathComponent("config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }
}

private func expectError(
    _ code: EmbeddingError.Code, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as EmbeddingError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Loading a model folder")
struct ModelLoadingTests {
    @Test("a model id from the workspace finds its folder through the manifests; an unknown id finds none")
    func folderByModelID() {
        let models = Fixtures.modelDirectory.deletingLastPathComponent()
        #expect(
            ModelLocator.directory(forModelID: "sentence-transformers/all-MiniLM-L6-v2", in: models)?.lastPathComponent
                == "all-MiniLM-L6-v2")
        #expect(
            ModelLocator.directory(forModelID: "BAAI/bge-small-en-v1.5", in: models)?.lastPathComponent
                == "bge-small-en-v1.5")
        #expect(ModelLocator.directory(forModelID: "../etc/passwd", in: models) == nil)
    }

    @Test("the intact copy loads, and verifies against the manifest")
    func intact() throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        let embedder = try scratch.load(verify: true)
        #expect(embedder.dimensions == 384)
    }

    @Test("a missing weights file names the file and scripts/setup")
    func missingWeights() throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        try FileManager.default.removeItem(at: scratch.directory.appendingPathComponent("model.safetensors"))
        expectError(.modelFileMissing, mentioning: ["model.safetensors", "scripts/setup"]) { _ = try scratch.load() }
    }

    @Test("truncated weights are a clear error", arguments: [4, 5_000, 1_000_000, 90_000_000])
    func truncatedWeights(_ length: Int) throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        let full = try Data(contentsOf: Fixtures.modelDirectory.appendingPathComponent("model.safetensors"))
        try scratch.replaceWeights(with: full.prefix(length))
        expectError(.modelFileCorrupt, mentioning: ["model.safetensors", "scripts/setup"]) { _ = try scratch.load() }
    }

    @Test("garbage weights are a clear error")
    func garbageWeights() throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        try scratch.replaceWeights(with: Data(repeating: 0xFF, count: 4096))
        expectError(.modelFileCorrupt, mentioning: ["model.safetensors"]) { _ = try scratch.load() }
    }

    @Test("a hash mismatch names the file and scripts/setup")
    func hashMismatch() throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        let url = scratch.directory.appendingPathComponent("vocab.txt")
        var vocab = try Data(contentsOf: url)
        vocab.append(contentsOf: Array("extra\n".utf8))
        try vocab.write(to: url)
        expectError(.integrityMismatch, mentioning: ["vocab.txt", "scripts/setup"]) {
            _ = try scratch.load(verify: true)
        }
    }

    @Test(
        "an unsupported architecture is refused",
        arguments: [
            ("model_type", "roberta"), ("hidden_act", "gelu_new"), ("position_embedding_type", "relative_key"),
        ])
    func unsupported(_ key: String, _ value: String) throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        try scratch.editConfig { $0[key] = value }
        expectError(.unsupportedModel, mentioning: ["config.json", value]) { _ = try scratch.load() }
    }

    @Test("shapes that disagree with the config are refused")
    func shapeMismatch() throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        try scratch.editConfig { $0["intermediate_size"] = 1024 }
        expectError(.modelFileCorrupt, mentioning: ["intermediate.dense", "shape"]) { _ = try scratch.load() }
    }

    @Test("a missing config names the file")
    func missingConfig() throws {
        let scratch = try ScratchModel()
        defer { scratch.remove() }
        try FileManager.default.removeItem(at: scratch.directory.appendingPathComponent("config.json"))
        expectError(.modelFileMissing, mentioning: ["config.json"]) { _ = try scratch.load() }
    }
}

@Suite("Default model folder")
struct ModelLocatorTests {
    @Test("HQ_MODEL_DIR wins")
    func environment() {
        let url = ModelLocator.defaultDirectory(
            environment: ["HQ_MODEL_DIR": "/somewhere/model"], executablePath: nil, currentDirectory: "/tmp")
        #expect(url.path == "/somewhere/model")
    }

    @Test("found from the executable two levels below the package root")
    func fromExecutable() {
        let exe = Fixtures.packageRoot.appendingPathComponent(".build/release/hq").path
        let url = ModelLocator.defaultDirectory(environment: [:], executablePath: exe, currentDirectory: "/")
        #expect(url.path == Fixtures.modelDirectory.standardizedFileURL.path)
    }

    @Test("falls back to the current directory")
    func fromCurrentDirectory() {
        let url = ModelLocator.defaultDirectory(environment: [:], executablePath: nil, currentDirectory: "/nonexistent")
        #expect(url.path == "/nonexistent/models/all-MiniLM-L6-v2")
    }
}

@Suite("Model chosen by name")
struct ModelNameTests {
    @Test("HQ_MODEL names a folder under models/")
    func byName() {
        let url = ModelLocator.defaultDirectory(
            environment: ["HQ_MODEL": "bge-small-en-v1.5"], executablePath: nil, currentDirectory: "/nonexistent")
        #expect(url.path == "/nonexistent/models/bge-small-en-v1.5")
    }

    @Test("HQ_MODEL_DIR wins over HQ_MODEL")
    func directoryWins() {
        let url = ModelLocator.defaultDirectory(
            environment: ["HQ_MODEL": "bge-small-en-v1.5", "HQ_MODEL_DIR": "/somewhere/model"], executablePath: nil,
            currentDirectory: "/tmp")
        #expect(url.path == "/somewhere/model")
    }

    @Test("HQ_MODEL with a path is not followed out of models/", arguments: ["../etc", "a/b", ".."])
    func pathRefused(_ name: String) {
        let url = ModelLocator.defaultDirectory(
            environment: ["HQ_MODEL": name], executablePath: nil, currentDirectory: "/nonexistent")
        #expect(url.path == "/nonexistent/models/all-MiniLM-L6-v2")
    }
}
