/// What an agent that has never seen HQ needs to know before choosing a tool (sent in the handshake).
enum ServerInstructions {
    static let text = """
        HQ is the user's admin software: one person runs a team of AI agents on one database. Its knowledge \
        base holds documents (rich text written in HQ) and assets (uploaded files: PDFs, spreadsheets, images \
        with descriptions), organised in nested folders (paths like "Sales/Playbooks") and labelled with free-form \
        tags. Each document or asset is a "source"; HQ Search splits every source into "chunks" (passages of a \
        few paragraphs, under their section headings) and indexes them by meaning and by keywords.

        How to use these tools:
        1. search_knowledge first: describe what you need in natural language. It returns the best-matching \
        sources, each with its best chunks (full text and a highlighted snippet) and a source_id.
        2. get_chunks with a source_id and a query to read more of one long source: its passages most relevant \
        to the query.
        3. get_source with a source_id for the whole source: every chunk in document order, plus its folder, tags \
        and indexing status.
        Narrow searches with folder, tags and type when the user names them. All tools only read; nothing in HQ \
        is changed. Quote what you use and cite its title.
        """
}
