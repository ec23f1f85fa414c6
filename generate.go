// Package paysandbox is the root of the module; it only carries the code
// generation directives, so `go generate ./...` (or `make generate`) rebuilds gen/.
package paysandbox

//go:generate go tool oapi-codegen -config gen/medusaapi/cfg.yaml openapi/medusa.yaml
//go:generate go tool oapi-codegen -config gen/sandboxapi/cfg.yaml openapi/sandbox.yaml
//go:generate go tool oapi-codegen -config gen/cryptomusapi/cfg.yaml openapi/cryptomus.yaml
//go:generate go tool oapi-codegen -config gen/lcmanagerapi/cfg.yaml openapi/lcmanager.yaml
//go:generate go tool oapi-codegen -config gen/yookassaapi/cfg.yaml openapi/yookassa.yaml
