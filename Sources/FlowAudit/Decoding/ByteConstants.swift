// ASCII bytes that the parsers compare against, named once.

let asciiQuote = UInt8(ascii: "\"")
let asciiBackslash = UInt8(ascii: "\\")
let asciiComma = UInt8(ascii: ",")
let asciiColon = UInt8(ascii: ":")
let asciiDot = UInt8(ascii: ".")
let asciiMinus = UInt8(ascii: "-")
let asciiPlus = UInt8(ascii: "+")
let asciiSpace = UInt8(ascii: " ")
let asciiTab = UInt8(ascii: "\t")
let asciiNewline = UInt8(ascii: "\n")
let asciiReturn = UInt8(ascii: "\r")
let asciiZero = UInt8(ascii: "0")
let asciiNine = UInt8(ascii: "9")
let asciiOpenBrace = UInt8(ascii: "{")
let asciiCloseBrace = UInt8(ascii: "}")
let asciiOpenBracket = UInt8(ascii: "[")
let asciiCloseBracket = UInt8(ascii: "]")
let asciiLowerE = UInt8(ascii: "e")
let asciiUpperE = UInt8(ascii: "E")
let asciiUpperT = UInt8(ascii: "T")
let asciiUpperZ = UInt8(ascii: "Z")
let asciiLowerT = UInt8(ascii: "t")
let asciiLowerF = UInt8(ascii: "f")
let asciiLowerN = UInt8(ascii: "n")

/// Whether a byte is JSON whitespace.
@inline(__always)
func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == asciiSpace || byte == asciiNewline || byte == asciiReturn || byte == asciiTab
}
