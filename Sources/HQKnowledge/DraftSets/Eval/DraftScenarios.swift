public import Foundation
public import HQCore

/// A labelled set of draft-set scenarios over a sample corpus (`samples/draft-scenarios/scenarios.json`): for each,
/// a contact, organization, template and optional interactions and feedback, and the documents a competent
/// salesperson would cite (`relevant`), must cite somewhere in the set (`must_cite`) or would be wrong to cite
/// (`wrong`). Labels name documents by title (assets by file name).
public struct DraftScenarioSet: Sendable, Decodable {
    /// The corpus folder, relative to the scenario file's folder.
    public var corpus: String
    /// The scenarios.
    public var scenarios: [DraftScenario]

    /// Reads `scenarios.json` in `directory` and checks it.
    /// - Throws: ``DraftSetError`` `invalidRequest` naming the file and what is wrong.
    public init(directory: String) throws {
        let path = directory + "/scenarios.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DraftSetError(.invalidRequest, "cannot read \(path)")
        }
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw DraftSetError(.invalidRequest, "\(path) is not a scenario set: \(error)")
        }
        var seen = Set<String>()
        for scenario in scenarios {
            guard seen.insert(scenario.id).inserted else {
                throw DraftSetError(.invalidRequest, "\(path): scenario id \(scenario.id) is used twice")
            }
            guard ["train", "test"].contains(scenario.split) else {
                throw DraftSetError(.invalidRequest, "\(path): scenario \(scenario.id) has split \(scenario.split)")
            }
            guard Set(scenario.labels.mustCite).isSubset(of: scenario.labels.relevant),
                Set(scenario.labels.relevant).isDisjoint(with: scenario.labels.wrong)
            else {
                throw DraftSetError(
                    .invalidRequest, "\(path): scenario \(scenario.id): must_cite ⊆ relevant and relevant ∩ wrong = ∅")
            }
        }
    }
}

/// One scenario: who the message is for, the template, and the labels.
public struct DraftScenario: Sendable, Decodable {
    /// The template: channel, stage, angle, audience, subject, body.
    public struct Template: Sendable, Decodable {
        public var channel: String
        public var stage: String
        public var angle: String?
        public var audience: String?
        public var subject: String?
        public var body: String
    }

    /// A past interaction with the contact.
    public struct Interaction: Sendable, Decodable {
        public var subject: String
        public var summary: String
    }

    /// The documents to cite, must cite, must not cite (titles; assets by file name).
    public struct Labels: Sendable, Decodable {
        public var mustCite: [String]
        public var relevant: [String]
        public var wrong: [String]

        enum CodingKeys: String, CodingKey {
            case mustCite = "must_cite"
            case relevant, wrong
        }
    }

    public var id: String
    /// `train` (choices are made on these) or `test` (reported only).
    public var split: String
    /// Contact columns (`name`, `company`, `title`, `notes`, …).
    public var contact: [String: JSONValue]
    /// Organization columns (`name`, `industry`, `description`, …), linked as the contact's current organization.
    public var organization: [String: JSONValue]?
    public var interactions: [Interaction]?
    /// Feedback the set answers (as when revising).
    public var feedback: String?
    public var template: Template
    /// Variants to assemble (default 2).
    public var variants: Int?
    public var labels: Labels
}
