// The brand kit (chat/brand.py sends it): logos on a checkerboard, on white and on the kit's dark colour (so a
// logo's transparency shows), colour swatches with their hex and the role a video gives them, font samples drawn in the uploaded fonts,
// the kit's words and its version. Edit asks in the chat what to change; Refresh brings fresh links.
// Layout uses inline styles: only the Tailwind classes Chainlit's own pages use are in its stylesheet.
import { useEffect, useState } from "react"
import { Button } from "@/components/ui/button"
import { Pencil, RefreshCw } from "lucide-react"
import { toast } from "sonner"

const CHECKER = {
  backgroundColor: "#ffffff",
  backgroundImage: "linear-gradient(45deg, #d4d4d8 25%, transparent 25%), linear-gradient(-45deg, #d4d4d8 25%, transparent 25%), linear-gradient(45deg, transparent 75%, #d4d4d8 75%), linear-gradient(-45deg, transparent 75%, #d4d4d8 75%)",
  backgroundSize: "16px 16px",
  backgroundPosition: "0 0, 0 8px, 8px -8px, -8px 0",
}
const TILE = { width: "150px", height: "96px", display: "flex", alignItems: "center", justifyContent: "center",
               borderRadius: "8px", border: "1px solid rgba(0,0,0,0.12)", padding: "10px", overflow: "hidden" }
const LOGO = { maxWidth: "100%", maxHeight: "100%", objectFit: "contain" }
const SWATCH = { width: "112px", height: "76px", borderRadius: "8px", border: "1px solid rgba(0,0,0,0.12)",
                 display: "flex", alignItems: "flex-end", padding: "8px", fontFamily: "ui-monospace, monospace",
                 fontSize: "13px", fontWeight: 600 }
const ROW = { display: "flex", flexWrap: "wrap", gap: "12px" }
const SAMPLE = { headline: "Run the city", body: "Light, fast and made to last. Free returns for 30 days." }

function Badge({ children }) {
  return (
    <span className="text-xs text-muted-foreground" style={{ border: "1px solid currentColor", borderRadius: "999px",
                                                             padding: "0 6px", marginLeft: "6px" }}>
      {children}
    </span>
  )
}

function Section({ title, part, empty, fromCampaign, busy, edit, children }) {
  const verb = empty ? "Set" : "Edit"
  return (
    <section data-part={part} className="flex flex-col gap-2">
      <div className="flex items-center justify-between border-b" style={{ paddingBottom: "4px" }}>
        <div className="font-semibold">{title}{fromCampaign ? <Badge>campaign</Badge> : null}</div>
        <Button variant="ghost" size="sm" disabled={busy} onClick={() => edit(part)} aria-label={`${verb} ${title}`}>
          <Pencil /> {verb}
        </Button>
      </div>
      {children}
    </section>
  )
}

// The kit put together, as an end card would show it.
function Preview({ p, headline }) {
  const face = headline ? `"${headline.face}", sans-serif` : "inherit"
  return (
    <div data-part="preview" style={{ background: p.background, color: p.text, borderRadius: "10px", padding: "20px 24px",
                                      display: "flex", alignItems: "center", gap: "24px", minHeight: "120px" }}>
      {p.logo ? <img src={p.logo} alt="Logo on the kit's background" style={{ height: "56px", objectFit: "contain" }} /> : null}
      <div className="flex flex-col gap-2" style={{ flex: 1 }}>
        <div style={{ fontFamily: face, fontSize: "28px", lineHeight: 1.1 }}>{SAMPLE.headline}</div>
        {p.website ? <div style={{ fontSize: "14px", opacity: 0.85 }}>{p.website}</div> : null}
      </div>
      {p.cta ? (
        <div data-field="preview-cta" style={{ background: p.accent, color: p.accent_ink, borderRadius: "999px",
                                               padding: "10px 20px", fontWeight: 700, fontFamily: face }}>
          {p.cta}
        </div>
      ) : null}
    </div>
  )
}

export default function BrandCard() {
  const [busy, setBusy] = useState(false)
  const [unloaded, setUnloaded] = useState([]) // fonts the browser could not load (their samples say so)

  useEffect(() => {
    // Each uploaded font under a name of its own, loaded from its link; a sample falls back to the page's font.
    props.fonts.forEach((f) => {
      new FontFace(f.face, `url("${f.url}")`).load()
        .then((face) => document.fonts.add(face))
        .catch(() => setUnloaded((names) => [...names, f.face]))
    })
  }, [props.fonts.map((f) => f.url).join(" ")])

  async function act(name, payload) {
    setBusy(true)
    try {
      const answer = await callAction({ name, payload: { ...payload, campaign: props.campaign } })
      const result = (answer && answer.response) || {}
      if (result.error) toast.error(result.error)
      if (result.props) await updateElement(result.props)
    } catch (err) {
      toast.error("The brand kit could not be loaded. Reload the page and try again.")
    } finally {
      setBusy(false)
    }
  }
  const edit = (part) => act("brand_edit", { part })

  useEffect(() => {
    if (props.expires_at && Date.now() / 1000 > props.expires_at - 60) act("brand_refresh", {})
  }, [])

  const none = <div className="text-sm text-muted-foreground">Not set yet.</div>
  return (
    <div id="brand-card" className="flex flex-col gap-4 w-full rounded-lg border bg-card p-4 shadow-sm">
      <div className="flex items-center justify-between">
        <div>
          <div className="text-lg font-semibold">{props.campaign ? `${props.campaign} · brand kit` : "Brand kit"}</div>
          <div data-field="version" className="text-sm text-muted-foreground">{props.label}</div>
        </div>
        <Button variant="ghost" size="sm" disabled={busy} onClick={() => act("brand_refresh", {})}>
          <RefreshCw /> Refresh
        </Button>
      </div>
      {props.preview ? <Preview p={props.preview} headline={props.fonts.find((f) => f.use === "headline")} /> : null}
      <Section title="Logos" part="logo" busy={busy} edit={edit} empty={props.logos.length === 0}
               fromCampaign={props.logos.some((l) => l.campaign)}>
        {props.logos.length === 0 ? none : props.logos.map((logo) => (
          <div key={logo.kind} data-logo={logo.kind} className="flex flex-col gap-1">
            <div className="text-sm">{logo.label}</div>
            <div style={ROW}>
              {[["transparent", CHECKER], ["on white", { background: "#ffffff" }], ["on dark", { background: props.dark }]].map(
                ([name, style]) => (
                  <div key={name} className="flex flex-col gap-1">
                    <div style={{ ...TILE, ...style }}><img src={logo.url} alt={`${logo.label}, ${name}`} style={LOGO} /></div>
                    <div className="text-xs text-muted-foreground">{name}</div>
                  </div>
                ))}
            </div>
          </div>
        ))}
      </Section>
      <Section title="Colours" part="colors" busy={busy} edit={edit} empty={props.colors.length === 0} fromCampaign={props.colors_campaign}>
        {props.colors.length === 0 ? none : (
          <div style={ROW}>
            {props.colors.map((c) => (
              <div key={c.hex + c.role} data-color={c.hex} className="flex flex-col gap-1">
                <div style={{ ...SWATCH, background: c.hex, color: c.ink }}>{c.hex}</div>
                <div className="text-xs text-muted-foreground">{c.role || "extra colour"}</div>
              </div>
            ))}
          </div>
        )}
      </Section>
      <Section title="Fonts" part="fonts" busy={busy} edit={edit} empty={props.fonts.length === 0} fromCampaign={props.fonts_campaign}>
        {props.fonts.length === 0 ? none : props.fonts.map((f) => (
          <div key={f.face} data-font={f.use} className="flex flex-col">
            <div className="text-xs text-muted-foreground">{f.use === "headline" ? "Headlines" : "Body text"} · {f.family}</div>
            <div style={{ fontFamily: `"${f.face}", sans-serif`, fontSize: f.use === "headline" ? "30px" : "17px",
                          lineHeight: 1.25 }}>
              {SAMPLE[f.use]}
            </div>
            <div style={{ fontFamily: `"${f.face}", sans-serif`, fontSize: "15px" }}>
              Aa Bb Cc 0123456789
            </div>
            {unloaded.includes(f.face) ? (
              <div className="text-xs text-muted-foreground">This browser could not load the font: the samples show the page's font.</div>
            ) : null}
          </div>
        ))}
      </Section>
      <Section title="Words" part="words" busy={busy} edit={edit} empty={props.words.length === 0} fromCampaign={props.words.some((w) => w.campaign)}>
        {props.words.length === 0 ? none : (
          <dl style={{ display: "grid", gridTemplateColumns: "max-content 1fr", gap: "4px 16px", margin: 0 }}>
            {props.words.map((w) => [
              <dt key={`${w.key}-label`} className="text-sm text-muted-foreground">{w.label}</dt>,
              <dd key={w.key} data-word={w.key} className="text-sm" style={{ margin: 0 }}>{w.value}</dd>,
            ])}
          </dl>
        )}
      </Section>
    </div>
  )
}
