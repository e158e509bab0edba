"""The AGC example's machine-learning step (examples/agc/ml.hep) computed independently of hepc,
in plain Python (no numpy).

Reads a JSON file written by the test: the samples' input columns (as hepc's reader gives them),
the luminosity, and the trained model as hepc saved it (its folds' trees). Prints a JSON object:

- "candidates": per ttbar event of 4j2b, in entry order, its jet–parton assignments
  (itertools.permutations of four of the six leading jets, the W jets unordered: 12, 60 or 180) with their 16 features
  computed here by hand and their class from truth matching ("right" when each jet's nearest
  parton within ΔR 0.4 is its role's), for comparison with the training data hepc wrote;
- "histograms": the chosen assignment's hadronic top mass and W jets' ΔR in 4j2b per sample,
  the choice made with scores from the saved trees walked here (out of fold for the events the
  training saw, the ttbar events with one right assignment: the model of the event's fold; the
  folds' mean elsewhere);
- "accuracy": for ttbar, the events, those with a right assignment among the candidates, and those whose
  chosen assignment is the right one.

The histograms also in each shape variation of the input's "scale" ([name, up, down] factors of
the jets' pT) and "smear" ([name, call site, sigma]: each jet's pT times a normal draw, one-sided,
its down copy the nominal mirrored) lists: the selection, the candidates, their features and
scores again from the varied jets, with the folds chosen as for the nominal event (its fold's
model when the training saw the event, the folds' mean otherwise). The draws and the mirror are
test/examples/agc_reference.py's.

The selection follows the AGC (iris-hep/analysis-grand-challenge, analyses/cms-open-data-ttbar),
as test/examples/agc_reference.py does; the assignment and features follow its utils/ml.py in
spirit (ΔRs between the W jets, the hadronic b and the W jets, the leptonic b and the lepton; the
W, hadronic top and leptonic b + lepton masses; pTs and b-tag values).

    python3 agc_ml_reference.py INPUT.json > result.json
"""
import itertools
import json
import math
import sys

from agc_reference import gauss, mirror

BTAG = 0.5
EDGES = {"m_top_had": [50 + 20 * i for i in range(26)], "dr_w_jets": [0.25 * i for i in range(25)]}


def p4(pt, eta, phi, m):
    px, py, pz = pt * math.cos(phi), pt * math.sin(phi), pt * math.sinh(eta)
    return (math.sqrt(px * px + py * py + pz * pz + m * m), px, py, pz)


def add(*vs):
    return tuple(sum(v[c] for v in vs) for c in range(4))


def mass(v):
    m2 = v[0] ** 2 - v[1] ** 2 - v[2] ** 2 - v[3] ** 2
    return math.sqrt(m2) if m2 >= 0 else -math.sqrt(-m2)


def pt_of(v):
    return math.hypot(v[1], v[2])


def delta_r(eta1, phi1, eta2, phi2):
    d = phi1 - phi2
    while d > math.pi:
        d -= 2 * math.pi
    while d <= -math.pi:
        d += 2 * math.pi
    return math.sqrt((eta1 - eta2) ** 2 + d * d)


def bin_of(edges, x):
    if x < edges[0]:
        return 0
    if x >= edges[-1]:
        return len(edges)
    i = 1
    while not (edges[i - 1] <= x < edges[i]):
        i += 1
    return i


def lepton_of(c, e):
    """The event's tight leptons as (eta, phi, p4); the direction from the four-vector's components."""
    out = []
    for pre, tight in (("Electron", lambda k: c["Electron_cutBased"][e][k] == 4), ("Muon", lambda k: c["Muon_tightId"][e][k] and c["Muon_pfRelIso04_all"][e][k] < 0.15)):
        for k in range(len(c[pre + "_pt"][e])):
            pt, eta = c[pre + "_pt"][e][k], c[pre + "_eta"][e][k]
            if pt > 30 and abs(eta) < 2.1 and c[pre + "_sip3d"][e][k] < 4 and tight(k):
                v = p4(pt, eta, c[pre + "_phi"][e][k], c[pre + "_mass"][e][k])
                out.append((math.asinh(v[3] / pt_of(v)), math.atan2(v[2], v[1]), v))
    return out


def assignments(c, e, jet_pt=None):
    """Per event of 4j2b: (lepton, candidates), a candidate being four jets (W, W, hadronic b,
    leptonic b); None outside 4j2b. jet_pt(e, k, pt): a varied jet pT (a shape variation)."""
    jets = []
    for k in range(len(c["Jet_pt"][e])):
        pt, eta = c["Jet_pt"][e][k], c["Jet_eta"][e][k]
        if jet_pt is not None:
            pt = jet_pt(e, k, pt)
        if pt > 30 and abs(eta) < 2.4 and (c["Jet_jetId"][e][k] & 4) != 0:
            phi, m = c["Jet_phi"][e][k], c["Jet_mass"][e][k]
            jets.append({"k": k, "pt": pt, "eta": eta, "phi": phi, "btag": c["Jet_btagCSVV2"][e][k], "p4": p4(pt, eta, phi, m)})
    leptons = lepton_of(c, e)
    if len(leptons) != 1 or len(jets) < 4 or sum(1 for j in jets if j["btag"] > BTAG) < 2:
        return None
    cands = [p for p in itertools.permutations(jets[:6], 4) if p[0]["k"] < p[1]["k"]]
    return leptons[0], cands


def features(lep, cand):
    w1, w2, bh, bl = cand
    leta, lphi, lp4 = lep
    dr = lambda a, b: delta_r(a["eta"], a["phi"], b["eta"], b["phi"])
    return [
        dr(w1, w2),
        dr(bh, w1),
        dr(bh, w2),
        delta_r(bl["eta"], bl["phi"], leta, lphi),
        mass(add(w1["p4"], w2["p4"])),
        mass(add(w1["p4"], w2["p4"], bh["p4"])),
        mass(add(bl["p4"], lp4)),
        pt_of(add(w1["p4"], w2["p4"], bh["p4"])),
        w1["pt"],
        w2["pt"],
        bh["pt"],
        bl["pt"],
        w1["btag"],
        w2["btag"],
        bh["btag"],
        bl["btag"],
    ]


def parton_of(c, e, jet):
    """The index of the parton nearest the jet within ΔR 0.4 (the first of equally near), or None."""
    best = None
    for g in range(len(c["GenPart_pt"][e])):
        d = delta_r(jet["eta"], jet["phi"], c["GenPart_eta"][e][g], c["GenPart_phi"][e][g])
        if d < 0.4 and (best is None or d < best[0]):
            best = (d, g)
    return None if best is None else best[1]


def is_right(c, e, cand):
    if len(c["GenPart_pt"][e]) != 4:
        return None  # no truth: in neither class
    m = [parton_of(c, e, j) for j in cand]
    return sorted(m[:2], key=lambda x: -1 if x is None else x) == [0, 1] and m[2] == 2 and m[3] == 3


def tree_probability(model, x):
    """A fold's probability of the class written last: its trees walked (x < threshold goes left)."""
    margin = model["base_margin"]
    for t in model["trees"]:
        i = 0
        while t["feature"][i] >= 0:
            v = x[t["feature"][i]]
            go_left = t["default_left"][i] == 1 if math.isnan(v) else v < t["threshold"][i]
            i = t["left"][i] if go_left else t["right"][i]
        margin += t["value"][i]
    return 1 / (1 + math.exp(-margin))


def new_hist(n):
    return {"sumw": [0.0] * (n + 1), "sumw2": [0.0] * (n + 1), "entries": 0}


def fill_chosen(hists, sample, suffix, cand, norm):
    w1, w2, bh, _ = cand
    values = {
        "m_top_had": mass(add(w1["p4"], w2["p4"], bh["p4"])),
        "dr_w_jets": delta_r(w1["eta"], w1["phi"], w2["eta"], w2["phi"]),
    }
    for name, x in values.items():
        h = hists.setdefault(f"r4j2b/{name}{suffix}/{sample}", new_hist(len(EDGES[name])))
        b = bin_of(EDGES[name], x)
        h["sumw"][b] += norm
        h["sumw2"][b] += norm * norm
        h["entries"] += 1


def chosen(folds, xs, trained, fold):
    """The candidate the model scores highest (the first of equal maxima): its fold's model for an
    event the training saw, the folds' mean otherwise."""
    scores = [tree_probability(folds[fold], x) if trained else (0.0 + tree_probability(folds[0], x) + tree_probability(folds[1], x)) / 2 for x in xs]
    return max(range(len(xs)), key=lambda q: (scores[q], -q))


def shapes(spec, sample):
    """The shape variations: (suffix, jet_pt(entry, k, pt))."""
    out = []
    for name, up, down in spec.get("scale", []):
        out.append((f"_{name}Up", lambda e, k, pt, f=up: f * pt))
        out.append((f"_{name}Down", lambda e, k, pt, f=down: f * pt))
    for name, site, sigma in spec.get("smear", []):
        out.append((f"_{name}Up", lambda e, k, pt, site=site, sigma=sigma: pt * gauss(1, sigma, e, k, site, spec["seed"], sample)))
    return out


def main():
    spec = json.load(open(sys.argv[1]))
    folds = {f["fold"]: f["model"] for f in spec["model"]["folds"]}
    for f in spec["model"]["folds"]:
        assert all(s["kind"] == "none" for s in f["scalers"]), "the features are not scaled"
    hists, candidates = {}, []
    accuracy = {"events": 0, "with_right": 0, "chosen_right": 0}
    for s in spec["samples"]:
        c = s["columns"]
        n = len(c["Jet_pt"])
        norm = s["xsec"] * spec["lumi"] / n if s["xsec"] is not None else 1.0
        trained_events = set()
        for e in range(n):
            found = assignments(c, e)
            if found is None:
                continue
            lep, cands = found
            xs = [features(lep, cand) for cand in cands]
            labels = [is_right(c, e, cand) for cand in cands]
            # trained on, as the AGC: the events with one right assignment (the six leading jets
            # include the four partons'), all its candidates in a class; scored by their fold's model
            trained = all(l is not None for l in labels) and sum(labels) == 1
            if trained:
                trained_events.add(e)
            best = chosen(folds, xs, trained, c["event"][e] % 2)
            fill_chosen(hists, s["name"], "", cands[best], norm)
            if s["name"] == "ttbar":
                candidates.append({"entry": e, "features": xs, "right": labels, "trained": trained, "jets": [[j["k"] for j in cand] for cand in cands]})
                accuracy["events"] += 1
                accuracy["with_right"] += any(labels)
                accuracy["chosen_right"] += bool(labels[best])
        # the shape variations: the same events again with the varied jets (not data: what was
        # measured is not varied, each of its copies is its nominal)
        if s["xsec"] is None:
            for name in EDGES:
                h = hists.get(f"r4j2b/{name}/{s['name']}")
                suffixes = [suffix for suffix, _ in shapes(spec, s["name"])] + [f"_{smear}Down" for smear, _, _ in spec.get("smear", [])]
                for suffix in suffixes if h else []:
                    hists[f"r4j2b/{name}{suffix}/{s['name']}"] = h
            continue
        for suffix, jet_pt in shapes(spec, s["name"]):
            for e in range(n):
                found = assignments(c, e, jet_pt)
                if found is None:
                    continue
                lep, cands = found
                best = chosen(folds, [features(lep, cand) for cand in cands], e in trained_events, c["event"][e] % 2)
                fill_chosen(hists, s["name"], suffix, cands[best], norm)
        for name in EDGES:
            for smear, _, _ in spec.get("smear", []):
                key = f"r4j2b/{name}_{smear}%s/{s['name']}"
                nominal = hists.get(f"r4j2b/{name}/{s['name']}") or new_hist(len(EDGES[name]))
                hists[key % "Down"] = mirror(nominal, hists.get(key % "Up") or new_hist(len(EDGES[name])))
    json.dump({"histograms": hists, "candidates": candidates, "accuracy": accuracy}, sys.stdout)


main()
