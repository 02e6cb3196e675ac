/// CSV/TSV into blocks: the header row becomes the section heading of every row group (so each chunk carries the
/// column names into its embedding context), each data row a `tableRow` line `v1 | v2 | …`.
enum DelimitedExtractor {
    static func extract(_ text: String, separator: Character, into builder: inout TextBuilder) {
        var rows = parse(text, separator: separator)
        guard !rows.isEmpty else { return }
        let header = rows.removeFirst().map { TextBuilder.clean($0, keepNewlines: false) }
        if rows.isEmpty {
            builder.block(header.joined(separator: " | "), kind: .tableRow)
            return
        }
        builder.heading("Columns: " + header.joined(separator: " | "), level: 1)
        for row in rows {
            let cells = row.map { TextBuilder.clean($0, keepNewlines: false) }
            guard cells.contains(where: { !$0.isEmpty }) else { continue }
            builder.block(cells.joined(separator: " | "), kind: .tableRow)
        }
    }

    /// RFC 4180 fields: quoted fields may hold separators, newlines and doubled quotes.
    static func parse(_ text: String, separator: Character) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            index = text.index(after: index)
            if quoted {
                if char == "\"" {
                    if index < text.endIndex, text[index] == "\"" {
                        field.append("\"")
                        index = text.index(after: index)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(char)
                }
                continue
            }
            switch char {
            case "\"" where field.isEmpty: quoted = true
            case separator:
                row.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                row.append(field)
                field = ""
                rows.append(row)
                row = []
            default: field.append(char)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows.filter { !($0.count == 1 && $0[0].isEmpty) }
    }
}
