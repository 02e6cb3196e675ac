/// The committed OpenAPI document of every `hq serve` route (`docs/openapi.json` holds the same text;
/// keep them identical — SearchRoutes serves this one at `GET /openapi.json`).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "HQ Search",
    "version": "1.0.0",
    "description": "Embeddings, hybrid search, sources, agent boot context and draft sets over HQ's knowledge base. Bearer auth (HQ_API_KEY) on every route except /healthz when a key is set. Closed by default: without HQ_API_KEY the server binds loopback only and answers 421 to a Host header that is not localhost, *.localhost, 127.x.x.x or [::1] (DNS rebinding); with or without a key, POST, PUT, PATCH, DELETE and any request with a body need Content-Type: application/json (415 otherwise), so a cross-site form cannot write. Every database statement has a timeout (HQ_STATEMENT_TIMEOUT_MS; 503 statement_timeout with Retry-After). A query's lexical leg uses at most its first 128 distinct words."
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer"
      }
    },
    "schemas": {
      "SearchChunk": {
        "type": "object",
        "required": [
          "chunk_id",
          "chunk_index",
          "content",
          "snippet",
          "section_path",
          "char_start",
          "char_end",
          "score"
        ],
        "properties": {
          "chunk_id": {
            "type": "string",
            "format": "uuid"
          },
          "chunk_index": {
            "type": "integer"
          },
          "content": {
            "type": "string"
          },
          "snippet": {
            "type": "string",
            "description": "excerpt with matched terms between <mark> and </mark>"
          },
          "section_path": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "char_start": {
            "type": [
              "integer",
              "null"
            ]
          },
          "char_end": {
            "type": [
              "integer",
              "null"
            ]
          },
          "score": {
            "type": "number"
          },
          "explain": {
            "type": "object",
            "description": "only with explain: ann_rank, cosine, dense_rank, bm25, lexical_rank, fused, exact_scan"
          }
        }
      },
      "SearchResult": {
        "type": "object",
        "required": [
          "source_id",
          "source_type",
          "title",
          "folder_path",
          "tags",
          "score",
          "chunks"
        ],
        "properties": {
          "source_id": {
            "type": "string",
            "format": "uuid"
          },
          "source_type": {
            "type": "string",
            "enum": [
              "document",
              "asset"
            ]
          },
          "title": {
            "type": "string"
          },
          "folder_path": {
            "type": [
              "string",
              "null"
            ]
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "score": {
            "type": "number"
          },
          "chunks": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SearchChunk"
            }
          }
        }
      },
      "SearchResponse": {
        "type": "object",
        "required": [
          "query",
          "results",
          "timing_ms"
        ],
        "properties": {
          "query": {
            "type": "string"
          },
          "results": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SearchResult"
            }
          },
          "timing_ms": {
            "type": "number"
          },
          "stages_ms": {
            "type": "object",
            "additionalProperties": {
              "type": "number"
            }
          }
        }
      },
      "SearchRequest": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "query": {
            "type": "string",
            "description": "natural language, at most 20000 UTF-8 bytes; empty lists pinned then recent sources; the lexical leg uses its first 128 distinct words"
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "all_tags": {
            "type": "boolean"
          },
          "tag_match": {
            "type": "string",
            "enum": [
              "any",
              "all"
            ]
          },
          "exclude_tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "folder": {
            "type": "string",
            "description": "folder id or path like Sales/Playbooks (with descendants)"
          },
          "type": {
            "type": "string",
            "enum": [
              "document",
              "asset"
            ]
          },
          "asset_types": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "pinned": {
            "type": "boolean"
          },
          "updated_after": {
            "type": "string",
            "format": "date-time"
          },
          "updated_before": {
            "type": "string",
            "format": "date-time"
          },
          "source_ids": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            }
          },
          "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000,
            "default": 10
          },
          "mode": {
            "type": "string",
            "enum": [
              "hybrid",
              "dense",
              "lexical"
            ],
            "default": "hybrid"
          },
          "chunks_per_source": {
            "type": "integer",
            "minimum": 1,
            "maximum": 50,
            "default": 3
          },
          "mmr": {
            "type": "number",
            "minimum": 0,
            "maximum": 1
          },
          "explain": {
            "type": "boolean"
          }
        }
      },
      "SourceDetail": {
        "type": "object",
        "properties": {
          "source_id": {
            "type": "string",
            "format": "uuid"
          },
          "source_type": {
            "type": "string"
          },
          "entity_id": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "folder_path": {
            "type": [
              "string",
              "null"
            ]
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "pinned": {
            "type": "boolean"
          },
          "asset_type": {
            "type": [
              "string",
              "null"
            ]
          },
          "updated_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "status": {
            "type": "string"
          },
          "chunk_count": {
            "type": "integer"
          },
          "chunks": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SearchChunk"
            }
          }
        }
      },
      "Error": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "message": {
                "type": "string"
              },
              "type": {
                "type": "string"
              },
              "code": {
                "type": "string"
              }
            }
          }
        }
      },
      "BootDocument": {
        "type": "object",
        "required": [
          "id",
          "title",
          "tags",
          "pinned",
          "scope",
          "updated_at",
          "tokens",
          "markdown"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "title": {
            "type": "string"
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "pinned": {
            "type": "boolean"
          },
          "scope": {
            "type": "string",
            "enum": [
              "agent",
              "all"
            ],
            "description": "agent: tagged boot:<slug>; all: tagged boot:all only"
          },
          "updated_at": {
            "type": "string",
            "format": "date-time"
          },
          "tokens": {
            "type": "integer",
            "description": "model tokens of markdown"
          },
          "markdown": {
            "type": "string",
            "description": "# title, a blank line, the body converted from TipTap rich text"
          }
        }
      },
      "OmittedBootDocument": {
        "type": "object",
        "required": [
          "id",
          "title",
          "tags",
          "pinned",
          "scope",
          "updated_at",
          "tokens",
          "reason"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "title": {
            "type": "string"
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "pinned": {
            "type": "boolean"
          },
          "scope": {
            "type": "string",
            "enum": [
              "agent",
              "all"
            ],
            "description": "agent: tagged boot:<slug>; all: tagged boot:all only"
          },
          "updated_at": {
            "type": "string",
            "format": "date-time"
          },
          "tokens": {
            "type": "integer",
            "description": "model tokens the document's section needs"
          },
          "reason": {
            "type": "string",
            "enum": [
              "over_budget"
            ]
          }
        }
      },
      "RelatedPassage": {
        "type": "object",
        "required": [
          "source_id",
          "source_type",
          "id",
          "title",
          "folder_path",
          "section_path",
          "chunk_id",
          "score",
          "tokens",
          "markdown"
        ],
        "properties": {
          "source_id": {
            "type": "string",
            "format": "uuid"
          },
          "source_type": {
            "type": "string",
            "enum": [
              "document",
              "asset"
            ]
          },
          "id": {
            "type": "string",
            "description": "the document's or asset's own id"
          },
          "title": {
            "type": "string"
          },
          "folder_path": {
            "type": [
              "string",
              "null"
            ]
          },
          "section_path": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "chunk_id": {
            "type": "string",
            "format": "uuid"
          },
          "score": {
            "type": "number"
          },
          "tokens": {
            "type": "integer"
          },
          "markdown": {
            "type": "string",
            "description": "## title › section, a blank line, the passage"
          }
        }
      },
      "BootContext": {
        "type": "object",
        "required": [
          "agent",
          "budget_tokens",
          "used_tokens",
          "query",
          "documents",
          "omitted",
          "related"
        ],
        "properties": {
          "agent": {
            "type": "object",
            "required": [
              "id",
              "slug",
              "name"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "slug": {
                "type": "string"
              },
              "name": {
                "type": "string"
              }
            }
          },
          "budget_tokens": {
            "type": "integer"
          },
          "used_tokens": {
            "type": "integer",
            "description": "tokens of documents and related passages together"
          },
          "query": {
            "type": [
              "string",
              "null"
            ]
          },
          "documents": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/BootDocument"
            },
            "description": "in load order: pinned first, then boot:<slug> before boot:all, then updated_at descending, then id"
          },
          "omitted": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/OmittedBootDocument"
            },
            "description": "boot documents that did not fit the budget, in load order; never dropped silently"
          },
          "related": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RelatedPassage"
            },
            "description": "with query: passages of other knowledge, best first, that fit what is left of the budget"
          }
        },
        "description": "Ids are lowercase UUIDs. Tokens are counted with the embedding model's tokenizer."
      },
      "UnknownAgentError": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "message": {
                "type": "string"
              },
              "type": {
                "type": "string"
              },
              "code": {
                "type": "string",
                "enum": [
                  "agent_not_found"
                ]
              },
              "suggestions": {
                "type": "array",
                "items": {
                  "type": "string"
                },
                "description": "existing slugs closest to the one asked for, best first"
              }
            }
          }
        }
      },
      "Evidence": {
        "type": "object",
        "required": [
          "id",
          "source_id",
          "source_type",
          "entity_id",
          "chunk_id",
          "title",
          "quote",
          "char_start",
          "char_end",
          "score"
        ],
        "properties": {
          "id": {
            "type": "string",
            "description": "citation id, E1, E2… (unique within the set)"
          },
          "source_id": {
            "type": "string",
            "format": "uuid"
          },
          "source_type": {
            "type": "string",
            "enum": [
              "document",
              "asset"
            ]
          },
          "entity_id": {
            "type": "string",
            "description": "the document's or asset's id"
          },
          "chunk_id": {
            "type": "string",
            "format": "uuid"
          },
          "title": {
            "type": "string"
          },
          "quote": {
            "type": "string",
            "description": "verbatim span of the chunk"
          },
          "char_start": {
            "type": [
              "integer",
              "null"
            ],
            "description": "offset of the quote in the source's extracted text (Unicode scalars)"
          },
          "char_end": {
            "type": [
              "integer",
              "null"
            ]
          },
          "score": {
            "type": "number",
            "description": "relevance to the variant, 0…1"
          }
        }
      },
      "DraftVariant": {
        "type": "object",
        "required": [
          "index",
          "body",
          "subject",
          "angle",
          "notes",
          "generator",
          "llm_status",
          "llm_rejection",
          "cited_body",
          "citations",
          "missing_fields",
          "evidence"
        ],
        "properties": {
          "index": {
            "type": "integer",
            "description": "1-based (1 = A), as selected_variant_index counts"
          },
          "body": {
            "type": "string"
          },
          "subject": {
            "type": [
              "string",
              "null"
            ]
          },
          "angle": {
            "type": [
              "string",
              "null"
            ]
          },
          "notes": {
            "type": [
              "string",
              "null"
            ]
          },
          "generator": {
            "type": "string",
            "enum": [
              "template",
              "llm"
            ]
          },
          "llm_status": {
            "type": "string",
            "enum": [
              "accepted",
              "rejected",
              "not_configured"
            ]
          },
          "llm_rejection": {
            "type": [
              "string",
              "null"
            ],
            "description": "malformed, uncited, uncited_claim, unknown_citation, unfilled_placeholder, unreachable, http_status_<code>"
          },
          "cited_body": {
            "type": [
              "string",
              "null"
            ],
            "description": "the LLM's body with its [E1] markers"
          },
          "citations": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "missing_fields": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "evidence": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Evidence"
            }
          }
        }
      },
      "DraftSet": {
        "type": "object",
        "required": [
          "id",
          "contact_id",
          "template_id",
          "channel",
          "stage",
          "version",
          "status",
          "selected_variant_index",
          "based_on_draft_set_id",
          "feedback_notes",
          "created_at",
          "updated_at",
          "meta",
          "variants"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "contact_id": {
            "type": "string",
            "format": "uuid"
          },
          "template_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "channel": {
            "type": "string"
          },
          "stage": {
            "type": "string"
          },
          "version": {
            "type": "integer",
            "minimum": 1
          },
          "status": {
            "type": "string",
            "enum": [
              "draft",
              "refining",
              "approved",
              "superseded"
            ]
          },
          "selected_variant_index": {
            "type": [
              "integer",
              "null"
            ]
          },
          "based_on_draft_set_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "feedback_notes": {
            "type": [
              "string",
              "null"
            ]
          },
          "created_at": {
            "type": "string",
            "format": "date-time"
          },
          "updated_at": {
            "type": "string",
            "format": "date-time"
          },
          "meta": {
            "type": "object",
            "description": "assembled_by, queries, scope {origin, tags, tag_match, exclude_tags, folder}, missing_fields, llm_model, llm_rejected, needs_review"
          },
          "variants": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/DraftVariant"
            }
          }
        }
      },
      "DraftSetRequest": {
        "type": "object",
        "additionalProperties": false,
        "description": "contact_id, channel and stage are required unless revise_draft_set_id is given (then they default to, and must match, the revised set's).",
        "properties": {
          "contact_id": {
            "type": "string",
            "format": "uuid"
          },
          "channel": {
            "type": "string"
          },
          "stage": {
            "type": "string"
          },
          "template_id": {
            "type": "string",
            "format": "uuid",
            "description": "default: the revised set's template, else the active template for channel and stage"
          },
          "variants": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5,
            "default": 3
          },
          "evidence_per_variant": {
            "type": "integer",
            "minimum": 0,
            "maximum": 8,
            "default": 3
          },
          "revise_draft_set_id": {
            "type": "string",
            "format": "uuid",
            "description": "carries its feedback_notes, marks it superseded"
          },
          "feedback_notes": {
            "type": "string",
            "description": "default: the revised set's feedback_notes"
          },
          "allow_missing": {
            "type": "boolean",
            "default": false,
            "description": "keep placeholders of merge fields without a value instead of answering 422"
          },
          "actor_agent_id": {
            "type": "string",
            "format": "uuid",
            "description": "audit_log actor (actor_type agent)"
          },
          "actor_type": {
            "type": "string",
            "enum": [
              "human",
              "agent",
              "system"
            ],
            "default": "system"
          }
        }
      }
    }
  },
  "security": [
    {
      "bearer": []
    }
  ],
  "paths": {
    "/v1/search": {
      "post": {
        "summary": "Hybrid search (dense ANN + BM25, exact BLAS rerank, filters)",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SearchRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "sources best first",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SearchResponse"
                }
              }
            }
          },
          "400": {
            "description": "bad parameter (message names it)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "the body is not Content-Type: application/json (unsupported_media_type)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "database or embedder unavailable; or a database statement exceeded HQ_STATEMENT_TIMEOUT_MS (statement_timeout, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/sources/{id}": {
      "get": {
        "summary": "A document or asset with its chunks in order",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            },
            "description": "source, document or asset id"
          }
        ],
        "responses": {
          "200": {
            "description": "the source",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SourceDetail"
                }
              }
            }
          },
          "400": {
            "description": "id is not a UUID",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "no such source",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "database unavailable; or a database statement exceeded HQ_STATEMENT_TIMEOUT_MS (statement_timeout, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/sources/{id}/chunks": {
      "get": {
        "summary": "A source's chunks, ranked against query when given",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "query",
            "in": "query",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 50,
              "default": 10
            }
          }
        ],
        "responses": {
          "200": {
            "description": "the source and chunks",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SourceDetail"
                }
              }
            }
          },
          "400": {
            "description": "bad parameter",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "no such source",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "database or embedder unavailable; or a database statement exceeded HQ_STATEMENT_TIMEOUT_MS (statement_timeout, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/boot/{slug}": {
      "get": {
        "summary": "An agent's boot context: its boot:<slug> and boot:all documents as markdown within a token budget",
        "description": "Documents tagged boot:<slug> or boot:all (tags compared case-insensitively), archived ones excluded, rich text converted to markdown, whole documents only. A document that does not fit in what is left of the budget is listed in omitted with its size; later, smaller ones may still fit. With query, the passages of other knowledge most relevant to it (hybrid search, loaded boot documents excluded) fill what is left. The JSON is what `hq boot --json` prints; format=markdown (or Accept: text/markdown) serves what `hq boot` prints.",
        "parameters": [
          {
            "name": "slug",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "agents.slug (exact, else case-insensitive)"
          },
          {
            "name": "budget_tokens",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000000,
              "default": 8000
            }
          },
          {
            "name": "query",
            "in": "query",
            "schema": {
              "type": "string"
            },
            "description": "append related knowledge for this query"
          },
          {
            "name": "format",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "json",
                "markdown"
              ],
              "default": "json"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "the boot context",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BootContext"
                }
              },
              "text/markdown": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "description": "bad parameter (unknown parameter, budget_tokens out of range, bad format)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "no agent with this slug; suggestions lists close slugs",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UnknownAgentError"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "database or embedder unavailable; or a database statement exceeded HQ_STATEMENT_TIMEOUT_MS (statement_timeout, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/embeddings": {
      "post": {
        "summary": "OpenAI-compatible embeddings",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "input"
                ],
                "properties": {
                  "input": {
                    "oneOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "array",
                        "items": {
                          "type": "string"
                        }
                      }
                    ]
                  },
                  "model": {
                    "type": "string"
                  },
                  "encoding_format": {
                    "type": "string",
                    "enum": [
                      "float",
                      "base64"
                    ]
                  },
                  "dimensions": {
                    "type": "integer"
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "{object: list, data: [{object: embedding, index, embedding}], model, usage}"
          },
          "400": {
            "description": "bad input",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "body too large",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "the body is not Content-Type: application/json (unsupported_media_type)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "embedder unavailable; or the embedding queue is full (embedder_busy, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/embed": {
      "post": {
        "summary": "HQ's embedding shape",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "input"
                ],
                "properties": {
                  "input": {
                    "oneOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "array",
                        "items": {
                          "type": "string"
                        }
                      }
                    ]
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "{embedding | embeddings, model, dimensions}"
          },
          "400": {
            "description": "bad input",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "body too large",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "the body is not Content-Type: application/json (unsupported_media_type)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "embedder unavailable; or the embedding queue is full (embedder_busy, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "summary": "Liveness and database reachability",
        "security": [],
        "responses": {
          "200": {
            "description": "healthy"
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "summary": "Counters and timings (Prometheus text)",
        "responses": {
          "200": {
            "description": "metrics"
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document",
        "responses": {
          "200": {
            "description": "OpenAPI 3.1"
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/draft-sets": {
      "post": {
        "summary": "Assemble and store a draft set: merge fields, evidence per variant (MMR across variants), optional LLM writing with checked citations, next version, audit log",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/DraftSetRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "the stored draft set",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DraftSet"
                }
              }
            }
          },
          "400": {
            "description": "bad parameter (message names it)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "unknown contact, template, draft set or agent, or no active template for channel and stage",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "the draft set to revise is approved or superseded",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "the body is not Content-Type: application/json (unsupported_media_type)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "missing merge fields (message lists them; allow_missing keeps placeholders)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "database or embedder unavailable; or a database statement exceeded HQ_STATEMENT_TIMEOUT_MS (statement_timeout, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/draft-sets/{id}": {
      "get": {
        "summary": "A stored draft set",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "the draft set",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DraftSet"
                }
              }
            }
          },
          "400": {
            "description": "the id is not a UUID",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "unauthorized",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "no such draft set",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "description": "without HQ_API_KEY: the Host header does not name localhost, 127.x.x.x or [::1] (misdirected_request)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "database unavailable; or a database statement exceeded HQ_STATEMENT_TIMEOUT_MS (statement_timeout, Retry-After)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    }
  }
}
"""#
}
