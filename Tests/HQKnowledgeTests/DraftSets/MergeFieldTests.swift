import HQKnowledge
import Testing

@Suite("Merge fields")
struct MergeFieldTests {
    static let values = MergeValues(
        contact: [
            "name": .string("Ada Lovelace"), "company": .string("Analytical Engines"), "title": .string("Head of Ops"),
            "email": .string("ada@example.com"), "location": .null,
            "tags": .array([.string("vip"), .string("prospect")]),
            "extended": .object([
                "budget": .number(1200), "team": .object(["size": .number(12)]), "blank": .string("  "),
                "vip": .bool(true),
            ]),
        ],
        organization: [
            "name": .string("Engines Ltd"), "website": .string("https://engines.example"),
            "extended": .object(["city": .string("London")]),
        ],
        organizationRole: "Buyer", campaign: ["name": .string("Autumn cafés")])

    @Test(
        "every source renders: contact columns, derived names, extended, organization, campaign",
        arguments: [
            ("{{name}}", "Ada Lovelace"), ("{{company}}", "Analytical Engines"), ("{{title}}", "Head of Ops"),
            ("{{ email }}", "ada@example.com"), ("{{contact.name}}", "Ada Lovelace"), ("{{first_name}}", "Ada"),
            ("{{last_name}}", "Lovelace"), ("{{tags}}", "vip, prospect"), ("{{extended.budget}}", "1200"),
            ("{{extended.team.size}}", "12"), ("{{extended.vip}}", "yes"), ("{{contact.extended.budget}}", "1200"),
            ("{{organization.name}}", "Engines Ltd"), ("{{organization.website}}", "https://engines.example"),
            ("{{organization.role}}", "Buyer"), ("{{organization.extended.city}}", "London"),
            ("{{org.name}}", "Engines Ltd"),
            ("{{campaign.name}}", "Autumn cafés"), ("{{location | somewhere}}", "somewhere"),
            ("{{extended.none | \"our team\"}}", "our team"),
        ])
    func renders(template: String, expected: String) {
        let result = TemplateRenderer.render(template, values: Self.values)
        #expect(result.text == expected)
        #expect(result.missing.isEmpty)
    }

    @Test("missing fields are reported by name, once, and their placeholders kept verbatim")
    func missing() {
        let result = TemplateRenderer.render(
            "Hi {{name}}, {{location}} / {{extended.blank}} / {{ extended.nope }} / {{unknown.thing}} / {{location}}",
            values: Self.values)
        #expect(result.missing == ["location", "extended.blank", "extended.nope", "unknown.thing"])
        #expect(
            result.text
                == "Hi Ada Lovelace, {{location}} / {{extended.blank}} / {{ extended.nope }} / {{unknown.thing}} / {{location}}"
        )
    }

    @Test("company falls back to the organization; objects are not text")
    func fallbacks() {
        var values = Self.values
        values.contact["company"] = .null
        #expect(TemplateRenderer.render("{{company}}", values: values).text == "Engines Ltd")
        #expect(TemplateRenderer.render("{{extended.team}}", values: values).missing == ["extended.team"])
    }

    @Test("text that is not a merge field is left alone")
    func notFields() {
        let result = TemplateRenderer.render("{{}} and {{ unclosed, {single}, }} done", values: Self.values)
        #expect(result.text == "{{}} and {{ unclosed, {single}, }} done")
        #expect(result.missing.isEmpty)
    }
}
