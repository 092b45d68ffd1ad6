import FlowAuditTestSupport
import Testing

/// The validator the report tests rely on: it must reject what each schema rejects.
@Suite("XML Schema validation helper")
struct XMLSchemaValidationTests {
    private static let jenkins = FixtureFiles.path("junit-xsd/junit-10.xsd")
    private static let ant = FixtureFiles.path("junit-xsd/JUnit.xsd")

    private static func suite(_ testsuiteAttributes: String, testcase: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites>
          <testsuite name="s" package="p" id="0" timestamp="2026-07-20T10:00:00" hostname="localhost" \
        tests="1" failures="0" errors="0" \(testsuiteAttributes)>
            <properties/>
            <testcase name="c" classname="k" time="0"\(testcase)/>
            <system-out/>
            <system-err/>
          </testsuite>
        </testsuites>
        """
    }

    @Test("a document both schemas accept has no errors")
    func valid() throws {
        let xml = Self.suite(#"time="1.25""#)
        #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: Self.jenkins) == [])
        #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: Self.ant) == [])
    }

    @Test("four decimals in time break the Jenkins schema only")
    func jenkinsTime() throws {
        let xml = Self.suite(#"time="1.2504""#)
        let errors = try XMLSchemaValidation.errors(in: xml, schemaPath: Self.jenkins)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("line 3: Element 'testsuite', attribute 'time'") == true)
        #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: Self.ant) == [])
    }

    @Test("a testcase without time, and a time zone on the timestamp, break the Ant schema only")
    func antRequirements() throws {
        let xml = Self.suite(#"time="0""#).replacing(#" time="0"/>"#, with: "/>")
            .replacing("10:00:00", with: "10:00:00Z")
        #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: Self.jenkins) == [])
        let errors = try XMLSchemaValidation.errors(in: xml, schemaPath: Self.ant)
        #expect(errors.count == 2)
        #expect(errors.contains { $0.contains("'timestamp'") })
        #expect(errors.contains { $0.contains("'time' is required") })
    }

    @Test("a document that is not well-formed gives one message")
    func notWellFormed() throws {
        let errors = try XMLSchemaValidation.errors(in: "<testsuites><testsuite>", schemaPath: Self.jenkins)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("not well-formed: line 1: ") == true)
    }

    @Test("a schema that cannot be read throws")
    func missingSchema() {
        #expect(throws: XMLCheckError.self) {
            try XMLSchemaValidation.errors(in: "<a/>", schemaPath: FixtureFiles.path("junit-xsd/absent.xsd"))
        }
    }
}
