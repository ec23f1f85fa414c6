# paysandbox — developer entry points. Node tools are pinned and installed by npm
# into .tools/ on first use, so a fresh machine needs only Go and Node.
SPECTRAL_VERSION := 6.16.3
REDOCLY_VERSION  := 2.77.0
TOOLS            := $(CURDIR)/.tools
SPECTRAL         := $(TOOLS)/node_modules/.bin/spectral
REDOCLY          := $(TOOLS)/node_modules/.bin/redocly
SPECS            := $(wildcard openapi/*.yaml)
APIS             := $(basename $(notdir $(SPECS)))

.PHONY: run test generate check-generated lint tools docs check-docs

run:
	go run ./cmd/paysandbox

test:
	go test -count=1 ./...

generate:
	go generate ./...

# Regenerates into the work tree and fails if that changed anything under gen/.
check-generated: generate
	@git diff --exit-code --stat -- gen/ || { echo "gen/ is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- gen/)" || { git status --porcelain -- gen/; echo "gen/ has untracked generated files"; exit 1; }

$(SPECTRAL) $(REDOCLY):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && echo '{"name":"paysandbox-tools","private":true}' > package.json && npm install --no-audit --no-fund --loglevel=error \
		@stoplight/spectral-cli@$(SPECTRAL_VERSION) @redocly/cli@$(REDOCLY_VERSION)

tools: $(SPECTRAL) $(REDOCLY)

# Zero errors and zero warnings: Spectral fails on warnings, and redocly.yaml extends
# `recommended-strict` (Redocly's recommended rules with every warning raised to an error).
lint: tools
	$(SPECTRAL) lint --fail-severity=warn $(SPECS)
	$(REDOCLY) lint $(SPECS)

# Publishing: one-file specs (YAML and JSON) and a standalone HTML reference per API in dist/
# (gitignored), and the references' committed form in docs/ that the server embeds.
docs: tools
	mkdir -p dist
	rm -f dist/*.yaml dist/*.json dist/*.html
	$(REDOCLY) bundle $(SPECS) -o dist
	$(REDOCLY) bundle $(SPECS) --ext json -o dist
	for api in $(APIS); do \
		$(REDOCLY) build-docs openapi/$$api.yaml --inlineBundle -o dist/$$api.html || exit 1; \
	done
	go run docs/split.go dist docs $(APIS)

# Rebuilds the references and fails if that changed anything under docs/.
check-docs: docs
	@git diff --exit-code --stat -- docs/ || { echo "docs/ is stale: run 'make docs' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- docs/)" || { git status --porcelain -- docs/; echo "docs/ has uncommitted files: run 'make docs' and commit"; exit 1; }
