// The little XML that repository metadata needs: attributes and element text of
// machine-written, well-formed files, with the five predefined entities decoded.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/** The value of attribute `name` in one start tag (`<location href="..."/>`). */
export function xmlAttr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name.replace(/[.:]/g, '\\$&')}="([^"]*)"`).exec(tag);
  return m ? decodeXml(m[1]!) : undefined;
}

/** The first start tag `<name ...>` in `xml`, whole. */
export function xmlTag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}(?:\\s[^>]*)?/?>`).exec(xml)?.[0];
}

/** The text of the first element `<name>text</name>` in `xml`. */
export function xmlText(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  return m ? decodeXml(m[1]!) : undefined;
}
