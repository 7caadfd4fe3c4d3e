// Renders the workflow diagram: the Mermaid text is generated on the server from the workflow code.
window.mermaid.initialize({ startOnLoad: true, securityLevel: "strict", theme: "neutral",
  stateDiagram: { useMaxWidth: false } });
