// Renders the workflow diagram: the Mermaid text is generated on the server from the workflow code.
// At its natural size (not shrunk to the column width), so its text reads without zooming; a
// wide diagram scrolls inside its box, not the page.
window.mermaid.initialize({ startOnLoad: true, securityLevel: "strict", theme: "neutral",
  state: { useMaxWidth: false } });
