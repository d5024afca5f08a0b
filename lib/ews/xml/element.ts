// The tree our XML reader builds. Deliberately small: local names only (EWS parsing matches on
// local names so that `s:`, `soap:`, `soap11:`, `SOAP-ENV:` and default namespaces all work),
// attributes without namespace declarations, children in document order, and the element's own
// character data concatenated (entities decoded, whitespace kept).

export class XmlElement {
  /** Local name: the part after the prefix. */
  readonly name: string;
  /** Attributes by local name (`xmlns` declarations dropped); undefined when there are none. */
  attrs: Record<string, string> | undefined = undefined;
  /** Child elements in document order; undefined when there are none. */
  children: XmlElement[] | undefined = undefined;
  /** Character data directly inside this element (for a leaf: its value). */
  text = '';

  constructor(name: string) {
    this.name = name;
  }

  /** First child element with this local name. */
  child(name: string): XmlElement | undefined {
    const children = this.children;
    if (children === undefined) return undefined;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.name === name) return c;
    }
    return undefined;
  }

  /** All child elements with this local name, in order. */
  childrenNamed(name: string): XmlElement[] {
    const children = this.children;
    if (children === undefined) return [];
    const out: XmlElement[] = [];
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.name === name) out.push(c);
    }
    return out;
  }

  /** Text of the first child with this local name. */
  childText(name: string): string | undefined {
    return this.child(name)?.text;
  }

  attr(name: string): string | undefined {
    return this.attrs?.[name];
  }
}
