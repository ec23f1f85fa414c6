# paysandbox — developer entry points. Node tools are pinned and installed by npm
# into .tools/ on first use, so a fresh machine needs only Go and Node.
SPECTRAL_VERSION := 6.16.3
REDOCLY_VERSION  := 2.77.0
TOOLS            := $(CURDIR)/.tools
SPECTRAL         := $(TOOLS)/node_modules/.bin/spectral
REDOCLY          := $(TOOLS)/node_modules/.bin/redocly
SPECS            := $(wildcard openapi/*.yaml)

.PHONY: run test generate check-generated lint tools

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

lint: tools
	$(SPECTRAL) lint --fail-severity=error $(SPECS)
	$(REDOCLY) lint $(SPECS)
