/// Knowledge shaped for agents, over the retrieval pipeline of HQSearch:
/// - boot context: an agent's `boot:all` and `boot:<slug>` documents as markdown within a token budget;
/// - draft-set assembly: grounded outreach variants for one contact, channel and stage.
public enum HQKnowledge {}
