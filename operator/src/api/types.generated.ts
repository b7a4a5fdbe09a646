// Code generated from crds/chatcluster.yaml by operator/src/api/codegen.ts. DO NOT EDIT.
// Regenerate with `npm run -w operator gen:types`; a unit test fails when this file is stale.
import type { V1ObjectMeta } from "@kubernetes/client-node";

export const GROUP = "chat.chatcluster.io";
export const VERSION = "v1alpha1";
export const API_VERSION = "chat.chatcluster.io/v1alpha1";
export const KIND = "ChatCluster";
export const PLURAL = "chatclusters";
export const SCHEMA_SHA256 = "0fa7fe7491adc3be039ecf02aa64825304d40310a24a74de98a688950d3641f1";

/** The CRD's openAPIV3Schema, for structural defaulting (applyDefaults). */
export const schema = {
  type: "object",
  description:
    "A ChatCluster is one chat platform (gateway, realtime, worker roles) with its sharded MySQL, Kafka and Redis.",
  required: ["spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      description: "The desired state of the chat platform.",
      properties: {
        version: {
          type: "string",
          description:
            "Platform version; the image tag of the platform roles. Changing it rolls the Deployments with zero unavailable.",
          default: "0.1.0",
          minLength: 1,
          maxLength: 128,
          pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
        },
        image: {
          type: "string",
          description: "Platform image repository, without tag (the tag is spec.version).",
          default: "ghcr.io/chatcluster/platform",
          minLength: 1,
          maxLength: 512,
        },
        imagePullPolicy: {
          type: "string",
          default: "IfNotPresent",
          enum: ["Always", "IfNotPresent", "Never"],
        },
        deletionPolicy: {
          type: "string",
          description:
            "Retain (default) keeps the MySQL/Kafka/Redis volumes and the credentials Secret when the ChatCluster is deleted; Delete removes them.",
          default: "Retain",
          enum: ["Retain", "Delete"],
        },
        mysql: {
          type: "object",
          description: "The catalog database and the message shards (MariaDB/MySQL, one StatefulSet each).",
          default: {},
          "x-kubernetes-validations": [
            {
              rule: "!has(self.shards) || !has(self.maxShards) || self.shards <= self.maxShards",
              message: "mysql.shards must not exceed mysql.maxShards",
            },
            {
              rule: "!has(self.shards) || !has(oldSelf.shards) || self.shards >= oldSelf.shards",
              message:
                "mysql.shards cannot be lowered: removing a shard needs a drain of its rooms, which is not supported yet",
            },
          ],
          properties: {
            image: {
              type: "string",
              description:
                "MariaDB image. The operator runs mariadbd by explicit command (no entrypoint script), so the official mariadb image (10.11 or later) works as well as the one built by `make images`.",
              default: "ghcr.io/chatcluster/mariadb:10.11",
              minLength: 1,
            },
            shards: {
              type: "integer",
              format: "int32",
              description:
                "Number of message shards. Can only grow (the rebalancer may also grow it up to maxShards).",
              default: 2,
              minimum: 1,
              maximum: 256,
            },
            maxShards: {
              type: "integer",
              format: "int32",
              description: "Upper bound for shards, for users and for the automatic rebalancer.",
              default: 16,
              minimum: 1,
              maximum: 256,
            },
            database: {
              type: "string",
              description: "Database name on the catalog and on every shard.",
              default: "chat",
              pattern: "^[A-Za-z_][A-Za-z0-9_]{0,63}$",
            },
            storage: {
              type: "object",
              default: {},
              properties: {
                size: {
                  type: "string",
                  default: "10Gi",
                  pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$",
                },
                storageClassName: {
                  type: "string",
                  description: "StorageClass of the volumes; empty uses the cluster default.",
                },
              },
            },
            catalogStorage: {
              type: "object",
              description: "Volume of the catalog database; defaults to storage.",
              properties: {
                size: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$" },
                storageClassName: { type: "string" },
              },
            },
            resources: {
              type: "object",
              description: "Resources of every MySQL container (catalog and shards).",
              properties: {
                requests: {
                  type: "object",
                  additionalProperties: {
                    "x-kubernetes-int-or-string": true,
                    pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                  },
                },
                limits: {
                  type: "object",
                  additionalProperties: {
                    "x-kubernetes-int-or-string": true,
                    pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                  },
                },
              },
            },
            durability: {
              type: "object",
              description: "Durability settings written into my.cnf.",
              default: {},
              properties: {
                syncBinlog: {
                  type: "integer",
                  description: "sync_binlog; 1 fsyncs the binary log at every commit.",
                  default: 1,
                  minimum: 0,
                  maximum: 1000000,
                },
                innodbFlushLogAtTrxCommit: {
                  type: "integer",
                  description: "innodb_flush_log_at_trx_commit; 1 is fully durable.",
                  default: 1,
                  enum: [0, 1, 2],
                },
                binlog: {
                  type: "boolean",
                  description: "Enable the binary log (needed for point-in-time recovery).",
                  default: true,
                },
              },
            },
            extraConfig: {
              type: "object",
              description: "Additional my.cnf [mysqld] settings (key to value).",
              maxProperties: 64,
              additionalProperties: { type: "string" },
            },
          },
        },
        kafka: {
          type: "object",
          description:
            "Kafka, managed in-cluster (KRaft) or external. When neither is set, a managed Kafka with defaults is created.",
          default: {},
          "x-kubernetes-validations": [
            {
              rule: "!(has(self.managed) && has(self.external))",
              message: "kafka: set either managed or external, not both",
            },
          ],
          properties: {
            managed: {
              type: "object",
              properties: {
                image: {
                  type: "string",
                  description:
                    "Kafka image with the official apache/kafka layout (/opt/kafka/bin); the official image works as well as the one built by `make images`.",
                  default: "ghcr.io/chatcluster/kafka:3.9.1",
                },
                replicas: { type: "integer", format: "int32", default: 1, minimum: 1, maximum: 9 },
                partitions: {
                  type: "integer",
                  format: "int32",
                  description: "Partitions of the platform topics.",
                  default: 12,
                  minimum: 1,
                  maximum: 1000,
                },
                storage: {
                  type: "object",
                  default: {},
                  properties: {
                    size: {
                      type: "string",
                      default: "10Gi",
                      pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$",
                    },
                    storageClassName: { type: "string" },
                  },
                },
                resources: {
                  type: "object",
                  properties: {
                    requests: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                    limits: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                  },
                },
              },
            },
            external: {
              type: "object",
              required: ["bootstrapServers"],
              properties: {
                bootstrapServers: {
                  type: "array",
                  description: "host:port of the brokers (e.g. a Strimzi or MSK bootstrap address).",
                  minItems: 1,
                  maxItems: 32,
                  items: { type: "string", pattern: "^[A-Za-z0-9.-]+:[0-9]{1,5}$" },
                },
                tls: { type: "boolean", default: false },
                saslMechanism: { type: "string", enum: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] },
                credentialsSecretRef: {
                  type: "object",
                  description: "Secret with the SASL username and password.",
                  required: ["name"],
                  properties: {
                    name: { type: "string", minLength: 1 },
                    usernameKey: { type: "string", default: "username" },
                    passwordKey: { type: "string", default: "password" },
                  },
                },
              },
              "x-kubernetes-validations": [
                {
                  rule: "!has(self.saslMechanism) || has(self.credentialsSecretRef)",
                  message: "kafka.external.saslMechanism needs kafka.external.credentialsSecretRef",
                },
              ],
            },
          },
        },
        redis: {
          type: "object",
          description:
            "Redis (socket.io adapter, rate limits, presence), managed in-cluster or external. When neither is set, a managed Redis is created.",
          default: {},
          "x-kubernetes-validations": [
            {
              rule: "!(has(self.managed) && has(self.external))",
              message: "redis: set either managed or external, not both",
            },
          ],
          properties: {
            managed: {
              type: "object",
              properties: {
                image: {
                  type: "string",
                  description:
                    "Redis 7 image (redis-server and redis-cli on PATH); the official redis image works as well as the one built by `make images`.",
                  default: "ghcr.io/chatcluster/redis:7.0",
                },
                persistence: {
                  type: "boolean",
                  description: "Keep an append-only file on a volume.",
                  default: true,
                },
                storage: {
                  type: "object",
                  default: {},
                  properties: {
                    size: {
                      type: "string",
                      default: "1Gi",
                      pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$",
                    },
                    storageClassName: { type: "string" },
                  },
                },
                resources: {
                  type: "object",
                  properties: {
                    requests: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                    limits: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                  },
                },
              },
            },
            external: {
              type: "object",
              required: ["host"],
              properties: {
                host: {
                  type: "string",
                  minLength: 1,
                  description: "Hostname of the Redis endpoint (e.g. an ElastiCache primary endpoint).",
                },
                port: { type: "integer", default: 6379, minimum: 1, maximum: 65535 },
                tls: { type: "boolean", default: false },
                passwordSecretRef: {
                  type: "object",
                  required: ["name"],
                  properties: {
                    name: { type: "string", minLength: 1 },
                    key: { type: "string", default: "password" },
                  },
                },
              },
            },
          },
        },
        roles: {
          type: "object",
          description: "The platform roles, one Deployment each (all from the same image).",
          default: {},
          properties: {
            gateway: {
              description: "REST API, auth, rate limits and the admin API.",
              default: {},
              type: "object",
              "x-kubernetes-validations": [
                {
                  rule: "!has(self.autoscaling) || !has(self.autoscaling.enabled) || !self.autoscaling.enabled || !has(self.autoscaling.minReplicas) || !has(self.autoscaling.maxReplicas) || self.autoscaling.minReplicas <= self.autoscaling.maxReplicas",
                  message: "autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
                },
                {
                  rule: "!has(self.autoscaling) || !has(self.autoscaling.metric) || (has(self.autoscaling.enabled) && self.autoscaling.enabled)",
                  message: "autoscaling.metric needs autoscaling.enabled: true",
                },
              ],
              properties: {
                replicas: {
                  type: "integer",
                  format: "int32",
                  description: "Replicas when autoscaling is off.",
                  default: 2,
                  minimum: 0,
                  maximum: 1000,
                },
                resources: {
                  type: "object",
                  properties: {
                    requests: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                    limits: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                  },
                },
                autoscaling: {
                  type: "object",
                  default: {},
                  properties: {
                    enabled: { type: "boolean", default: false },
                    minReplicas: { type: "integer", format: "int32", default: 2, minimum: 1 },
                    maxReplicas: { type: "integer", format: "int32", default: 10, minimum: 1, maximum: 1000 },
                    targetCPUUtilizationPercentage: {
                      type: "integer",
                      format: "int32",
                      default: 70,
                      minimum: 1,
                      maximum: 100,
                    },
                    metric: {
                      type: "object",
                      description:
                        "Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU.",
                      required: ["name", "targetAverageValue"],
                      properties: {
                        name: {
                          type: "string",
                          description: "e.g. chat_socket_connections or chat_http_requests",
                          pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
                        },
                        targetAverageValue: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(m|k|M|G)?$" },
                      },
                    },
                  },
                },
              },
            },
            realtime: {
              description: "socket.io fan-out.",
              default: {},
              type: "object",
              "x-kubernetes-validations": [
                {
                  rule: "!has(self.autoscaling) || !has(self.autoscaling.enabled) || !self.autoscaling.enabled || !has(self.autoscaling.minReplicas) || !has(self.autoscaling.maxReplicas) || self.autoscaling.minReplicas <= self.autoscaling.maxReplicas",
                  message: "autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
                },
                {
                  rule: "!has(self.autoscaling) || !has(self.autoscaling.metric) || (has(self.autoscaling.enabled) && self.autoscaling.enabled)",
                  message: "autoscaling.metric needs autoscaling.enabled: true",
                },
              ],
              properties: {
                replicas: {
                  type: "integer",
                  format: "int32",
                  description: "Replicas when autoscaling is off.",
                  default: 2,
                  minimum: 0,
                  maximum: 1000,
                },
                resources: {
                  type: "object",
                  properties: {
                    requests: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                    limits: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                  },
                },
                autoscaling: {
                  type: "object",
                  default: {},
                  properties: {
                    enabled: { type: "boolean", default: false },
                    minReplicas: { type: "integer", format: "int32", default: 2, minimum: 1 },
                    maxReplicas: { type: "integer", format: "int32", default: 10, minimum: 1, maximum: 1000 },
                    targetCPUUtilizationPercentage: {
                      type: "integer",
                      format: "int32",
                      default: 70,
                      minimum: 1,
                      maximum: 100,
                    },
                    metric: {
                      type: "object",
                      description:
                        "Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU.",
                      required: ["name", "targetAverageValue"],
                      properties: {
                        name: {
                          type: "string",
                          description: "e.g. chat_socket_connections or chat_http_requests",
                          pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
                        },
                        targetAverageValue: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(m|k|M|G)?$" },
                      },
                    },
                  },
                },
              },
            },
            worker: {
              description: "Outbox relay, search indexer, notifications (Kafka consumers).",
              default: {},
              type: "object",
              "x-kubernetes-validations": [
                {
                  rule: "!has(self.autoscaling) || !has(self.autoscaling.enabled) || !self.autoscaling.enabled || !has(self.autoscaling.minReplicas) || !has(self.autoscaling.maxReplicas) || self.autoscaling.minReplicas <= self.autoscaling.maxReplicas",
                  message: "autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
                },
                {
                  rule: "!has(self.autoscaling) || !has(self.autoscaling.metric) || (has(self.autoscaling.enabled) && self.autoscaling.enabled)",
                  message: "autoscaling.metric needs autoscaling.enabled: true",
                },
              ],
              properties: {
                replicas: {
                  type: "integer",
                  format: "int32",
                  description: "Replicas when autoscaling is off.",
                  default: 2,
                  minimum: 0,
                  maximum: 1000,
                },
                resources: {
                  type: "object",
                  properties: {
                    requests: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                    limits: {
                      type: "object",
                      additionalProperties: {
                        "x-kubernetes-int-or-string": true,
                        pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                      },
                    },
                  },
                },
                autoscaling: {
                  type: "object",
                  default: {},
                  properties: {
                    enabled: { type: "boolean", default: false },
                    minReplicas: { type: "integer", format: "int32", default: 2, minimum: 1 },
                    maxReplicas: { type: "integer", format: "int32", default: 10, minimum: 1, maximum: 1000 },
                    targetCPUUtilizationPercentage: {
                      type: "integer",
                      format: "int32",
                      default: 70,
                      minimum: 1,
                      maximum: 100,
                    },
                    metric: {
                      type: "object",
                      description:
                        "Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU.",
                      required: ["name", "targetAverageValue"],
                      properties: {
                        name: {
                          type: "string",
                          description: "e.g. chat_socket_connections or chat_http_requests",
                          pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
                        },
                        targetAverageValue: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(m|k|M|G)?$" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        sharding: {
          type: "object",
          description:
            "Room placement and the automatic rebalancing policy (adds shards and moves hot rooms online).",
          default: {},
          properties: {
            placement: {
              type: "string",
              description:
                "Where new rooms go. LeastLoaded picks the coolest shard; Hash spreads by room id.",
              default: "LeastLoaded",
              enum: ["LeastLoaded", "Hash"],
            },
            rebalance: {
              type: "object",
              default: {},
              "x-kubernetes-validations": [
                {
                  rule: "!has(self.mode) || self.mode == 'Disabled' || has(self.prometheus)",
                  message: "sharding.rebalance.prometheus.url is required unless mode is Disabled",
                },
                {
                  rule: "!has(self.addShardThresholdPercent) || !has(self.hysteresisPercent) || self.addShardThresholdPercent > self.hysteresisPercent",
                  message: "sharding.rebalance.hysteresisPercent must be below addShardThresholdPercent",
                },
              ],
              properties: {
                mode: {
                  type: "string",
                  description:
                    "Disabled: never act. DryRun: plan and report in status.rebalance only. Auto: add shards and move rooms.",
                  default: "Disabled",
                  enum: ["Disabled", "DryRun", "Auto"],
                },
                prometheus: {
                  type: "object",
                  description: "Where the rebalancer reads per-shard write rates (chat_messages_sent_total).",
                  required: ["url"],
                  properties: {
                    url: {
                      type: "string",
                      description:
                        "Base URL of the Prometheus HTTP API, e.g. http://prometheus.monitoring.svc:9090.",
                      pattern: "^https?://",
                    },
                    selector: {
                      type: "string",
                      description:
                        'PromQL label matchers that select this cluster\'s platform series when several clusters share one Prometheus, e.g. namespace="chat",job="chat-platform". Empty selects every chat_messages_sent_total series.',
                      default: "",
                      maxLength: 1024,
                      pattern: "^[^{}]*$",
                    },
                    window: {
                      type: "string",
                      description: "Range of the rate() over chat_messages_sent_total.",
                      default: "1m",
                      pattern: "^([0-9]+(ms|s|m|h))+$",
                    },
                  },
                },
                interval: {
                  type: "string",
                  description: "How often the planner evaluates load.",
                  default: "1m",
                  pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
                },
                shardCapacityWritesPerSecond: {
                  type: "integer",
                  description: "Sustained message writes per second one shard is sized for (100% load).",
                  default: 2000,
                  minimum: 1,
                },
                addShardThresholdPercent: {
                  type: "integer",
                  description: "Add a shard when the fleet's mean load passes this percentage of capacity.",
                  default: 75,
                  minimum: 1,
                  maximum: 100,
                },
                moveThresholdPercent: {
                  type: "integer",
                  description: "Move hot rooms off a shard whose load passes this percentage.",
                  default: 85,
                  minimum: 1,
                  maximum: 100,
                },
                hysteresisPercent: {
                  type: "integer",
                  description: "Load must fall this far below a threshold before it re-arms.",
                  default: 10,
                  minimum: 0,
                  maximum: 50,
                },
                cooldown: {
                  type: "string",
                  description: "Minimum time between two actions, and between two moves of one room.",
                  default: "10m",
                  pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
                },
                maxConcurrentMoves: { type: "integer", default: 1, minimum: 1, maximum: 64 },
                maxWritePause: {
                  type: "string",
                  description:
                    "Longest a room's writes may be fenced during a move (the platform's CHAT_MOVE_MAX_WRITE_PAUSE_MS, clamped to 50ms..60s). A final sync that does not fit is unfenced and retried; the move fails after repeated attempts.",
                  default: "2s",
                  pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
                },
              },
            },
          },
        },
        monitoring: {
          type: "object",
          default: {},
          properties: {
            enabled: {
              type: "boolean",
              description:
                "Create a ServiceMonitor and a PrometheusRule when the Prometheus Operator CRDs exist in the cluster.",
              default: true,
            },
            labels: {
              type: "object",
              description:
                "Extra labels on the ServiceMonitor and PrometheusRule (e.g. the Prometheus selector's).",
              maxProperties: 16,
              additionalProperties: { type: "string" },
            },
          },
        },
        networkPolicy: {
          type: "object",
          default: {},
          properties: {
            enabled: {
              type: "boolean",
              description: "Only platform pods may reach MySQL, Redis and Kafka.",
              default: true,
            },
          },
        },
      },
    },
    status: {
      type: "object",
      properties: {
        phase: {
          type: "string",
          enum: ["Pending", "Provisioning", "Ready", "Upgrading", "Degraded", "Deleting"],
        },
        observedGeneration: { type: "integer", format: "int64" },
        ready: { type: "string", description: "Ready components / all components, e.g. 7/7." },
        version: {
          type: "string",
          description: "The platform version every role runs (set once a rollout completes).",
        },
        message: { type: "string" },
        conditions: {
          type: "array",
          maxItems: 16,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          items: {
            type: "object",
            required: ["type", "status", "lastTransitionTime", "reason", "message"],
            properties: {
              type: { type: "string", maxLength: 316 },
              status: { type: "string", enum: ["True", "False", "Unknown"] },
              observedGeneration: { type: "integer", format: "int64", minimum: 0 },
              lastTransitionTime: { type: "string", format: "date-time" },
              reason: { type: "string", maxLength: 1024 },
              message: { type: "string", maxLength: 32768 },
            },
          },
        },
        components: {
          type: "array",
          description: "Readiness of each workload, read from its StatefulSet or Deployment status.",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            required: ["name", "kind", "ready"],
            properties: {
              name: { type: "string" },
              kind: { type: "string" },
              ready: { type: "boolean" },
              replicas: { type: "integer" },
              readyReplicas: { type: "integer" },
              updatedReplicas: { type: "integer" },
            },
          },
        },
        shards: {
          type: "array",
          description: "One entry per message shard.",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["index"],
          items: {
            type: "object",
            required: ["index", "name", "state"],
            properties: {
              index: { type: "integer" },
              name: { type: "string", description: "The shard's StatefulSet and Service name." },
              endpoint: { type: "string", description: "host:port the platform connects to." },
              state: {
                type: "string",
                description:
                  "Lifecycle: Provisioning (never ready yet) → Ready (StatefulSet ready) → Registered (known to the platform, set by the rebalancer) → Draining.",
                enum: ["Provisioning", "Ready", "Registered", "Draining"],
              },
              ready: { type: "boolean", description: "The shard's StatefulSet is ready right now." },
              writesPerSecond: {
                type: "string",
                description: "Last measured message write rate (filled by the rebalancer).",
              },
              loadPercent: { type: "integer" },
              rooms: { type: "integer" },
            },
          },
        },
        endpoints: {
          type: "object",
          properties: {
            gateway: { type: "string" },
            realtime: { type: "string" },
            catalog: { type: "string" },
            kafka: { type: "string" },
            redis: { type: "string" },
          },
        },
        credentialsSecret: {
          type: "string",
          description: "Name of the generated Secret (MySQL passwords, JWT signing key, admin token).",
        },
        rebalance: {
          type: "object",
          description: "What the rebalancer saw and did (filled by the elastic sharding work).",
          properties: {
            lastEvaluationTime: { type: "string", format: "date-time" },
            lastActionTime: { type: "string", format: "date-time" },
            fleetLoadPercent: { type: "integer" },
            desiredShards: {
              type: "integer",
              description:
                "Shard count the rebalancer asks for; the operator runs max(spec.mysql.shards, this), capped at mysql.maxShards.",
            },
            plannedActions: {
              type: "array",
              description: "Actions of the last plan (in DryRun mode, only these).",
              maxItems: 64,
              items: {
                type: "object",
                required: ["type"],
                properties: {
                  type: { type: "string", enum: ["AddShard", "MoveRoom"] },
                  roomId: { type: "string" },
                  fromShard: { type: "integer" },
                  toShard: { type: "integer" },
                  reason: { type: "string" },
                },
              },
            },
            moves: {
              type: "array",
              description: "Room moves in progress and the most recent finished ones.",
              maxItems: 128,
              "x-kubernetes-list-type": "map",
              "x-kubernetes-list-map-keys": ["id"],
              items: {
                type: "object",
                required: ["id", "roomId", "fromShard", "toShard", "state"],
                properties: {
                  id: { type: "string" },
                  roomId: { type: "string" },
                  fromShard: { type: "integer" },
                  toShard: { type: "integer" },
                  state: {
                    type: "string",
                    enum: [
                      "Pending",
                      "Copying",
                      "CatchingUp",
                      "Fenced",
                      "Verifying",
                      "Flipped",
                      "CleaningUp",
                      "Done",
                      "Failed",
                      "Aborted",
                    ],
                  },
                  epoch: { type: "integer", description: "Directory epoch after the flip." },
                  startTime: { type: "string", format: "date-time" },
                  finishTime: { type: "string", format: "date-time" },
                  writePauseMillis: { type: "integer" },
                  rowsCopied: { type: "integer" },
                  reason: { type: "string", description: "Why the move failed or was aborted." },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export interface ChatCluster {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: ChatClusterSpec;
  status?: ChatClusterStatus;
}

export interface ChatClusterSpecMysqlStorage {
  size: string;
  /** StorageClass of the volumes; empty uses the cluster default. */
  storageClassName?: string;
}

/** Volume of the catalog database; defaults to storage. */
export interface ChatClusterSpecMysqlCatalogStorage {
  size?: string;
  storageClassName?: string;
}

/** Resources of every MySQL container (catalog and shards). */
export interface ChatClusterSpecMysqlResources {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

/** Durability settings written into my.cnf. */
export interface ChatClusterSpecMysqlDurability {
  /** sync_binlog; 1 fsyncs the binary log at every commit. */
  syncBinlog: number;
  /** innodb_flush_log_at_trx_commit; 1 is fully durable. */
  innodbFlushLogAtTrxCommit: 0 | 1 | 2;
  /** Enable the binary log (needed for point-in-time recovery). */
  binlog: boolean;
}

/** The catalog database and the message shards (MariaDB/MySQL, one StatefulSet each). */
export interface ChatClusterSpecMysql {
  /** MariaDB image. The operator runs mariadbd by explicit command (no entrypoint script), so the official mariadb image (10.11 or later) works as well as the one built by `make images`. */
  image: string;
  /** Number of message shards. Can only grow (the rebalancer may also grow it up to maxShards). */
  shards: number;
  /** Upper bound for shards, for users and for the automatic rebalancer. */
  maxShards: number;
  /** Database name on the catalog and on every shard. */
  database: string;
  storage: ChatClusterSpecMysqlStorage;
  /** Volume of the catalog database; defaults to storage. */
  catalogStorage?: ChatClusterSpecMysqlCatalogStorage;
  /** Resources of every MySQL container (catalog and shards). */
  resources?: ChatClusterSpecMysqlResources;
  /** Durability settings written into my.cnf. */
  durability: ChatClusterSpecMysqlDurability;
  /** Additional my.cnf [mysqld] settings (key to value). */
  extraConfig?: Record<string, string>;
}

export interface ChatClusterSpecKafkaManagedStorage {
  size: string;
  storageClassName?: string;
}

export interface ChatClusterSpecKafkaManagedResources {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

export interface ChatClusterSpecKafkaManaged {
  /** Kafka image with the official apache/kafka layout (/opt/kafka/bin); the official image works as well as the one built by `make images`. */
  image: string;
  replicas: number;
  /** Partitions of the platform topics. */
  partitions: number;
  storage: ChatClusterSpecKafkaManagedStorage;
  resources?: ChatClusterSpecKafkaManagedResources;
}

/** Secret with the SASL username and password. */
export interface ChatClusterSpecKafkaExternalCredentialsSecretRef {
  name: string;
  usernameKey: string;
  passwordKey: string;
}

export interface ChatClusterSpecKafkaExternal {
  /** host:port of the brokers (e.g. a Strimzi or MSK bootstrap address). */
  bootstrapServers: string[];
  tls: boolean;
  saslMechanism?: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /** Secret with the SASL username and password. */
  credentialsSecretRef?: ChatClusterSpecKafkaExternalCredentialsSecretRef;
}

/** Kafka, managed in-cluster (KRaft) or external. When neither is set, a managed Kafka with defaults is created. */
export interface ChatClusterSpecKafka {
  managed?: ChatClusterSpecKafkaManaged;
  external?: ChatClusterSpecKafkaExternal;
}

export interface ChatClusterSpecRedisManagedStorage {
  size: string;
  storageClassName?: string;
}

export interface ChatClusterSpecRedisManagedResources {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

export interface ChatClusterSpecRedisManaged {
  /** Redis 7 image (redis-server and redis-cli on PATH); the official redis image works as well as the one built by `make images`. */
  image: string;
  /** Keep an append-only file on a volume. */
  persistence: boolean;
  storage: ChatClusterSpecRedisManagedStorage;
  resources?: ChatClusterSpecRedisManagedResources;
}

export interface ChatClusterSpecRedisExternalPasswordSecretRef {
  name: string;
  key: string;
}

export interface ChatClusterSpecRedisExternal {
  /** Hostname of the Redis endpoint (e.g. an ElastiCache primary endpoint). */
  host: string;
  port: number;
  tls: boolean;
  passwordSecretRef?: ChatClusterSpecRedisExternalPasswordSecretRef;
}

/** Redis (socket.io adapter, rate limits, presence), managed in-cluster or external. When neither is set, a managed Redis is created. */
export interface ChatClusterSpecRedis {
  managed?: ChatClusterSpecRedisManaged;
  external?: ChatClusterSpecRedisExternal;
}

export interface ChatClusterSpecRolesGatewayResources {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

/** Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU. */
export interface ChatClusterSpecRolesGatewayAutoscalingMetric {
  /** e.g. chat_socket_connections or chat_http_requests */
  name: string;
  targetAverageValue: string;
}

export interface ChatClusterSpecRolesGatewayAutoscaling {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  /** Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU. */
  metric?: ChatClusterSpecRolesGatewayAutoscalingMetric;
}

/** REST API, auth, rate limits and the admin API. */
export interface ChatClusterSpecRolesGateway {
  /** Replicas when autoscaling is off. */
  replicas: number;
  resources?: ChatClusterSpecRolesGatewayResources;
  autoscaling: ChatClusterSpecRolesGatewayAutoscaling;
}

export interface ChatClusterSpecRolesRealtimeResources {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

/** Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU. */
export interface ChatClusterSpecRolesRealtimeAutoscalingMetric {
  /** e.g. chat_socket_connections or chat_http_requests */
  name: string;
  targetAverageValue: string;
}

export interface ChatClusterSpecRolesRealtimeAutoscaling {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  /** Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU. */
  metric?: ChatClusterSpecRolesRealtimeAutoscalingMetric;
}

/** socket.io fan-out. */
export interface ChatClusterSpecRolesRealtime {
  /** Replicas when autoscaling is off. */
  replicas: number;
  resources?: ChatClusterSpecRolesRealtimeResources;
  autoscaling: ChatClusterSpecRolesRealtimeAutoscaling;
}

export interface ChatClusterSpecRolesWorkerResources {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

/** Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU. */
export interface ChatClusterSpecRolesWorkerAutoscalingMetric {
  /** e.g. chat_socket_connections or chat_http_requests */
  name: string;
  targetAverageValue: string;
}

export interface ChatClusterSpecRolesWorkerAutoscaling {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  /** Scale on a per-pod Prometheus metric (through prometheus-adapter) instead of CPU. */
  metric?: ChatClusterSpecRolesWorkerAutoscalingMetric;
}

/** Outbox relay, search indexer, notifications (Kafka consumers). */
export interface ChatClusterSpecRolesWorker {
  /** Replicas when autoscaling is off. */
  replicas: number;
  resources?: ChatClusterSpecRolesWorkerResources;
  autoscaling: ChatClusterSpecRolesWorkerAutoscaling;
}

/** The platform roles, one Deployment each (all from the same image). */
export interface ChatClusterSpecRoles {
  /** REST API, auth, rate limits and the admin API. */
  gateway: ChatClusterSpecRolesGateway;
  /** socket.io fan-out. */
  realtime: ChatClusterSpecRolesRealtime;
  /** Outbox relay, search indexer, notifications (Kafka consumers). */
  worker: ChatClusterSpecRolesWorker;
}

/** Where the rebalancer reads per-shard write rates (chat_messages_sent_total). */
export interface ChatClusterSpecShardingRebalancePrometheus {
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus.monitoring.svc:9090. */
  url: string;
  /** PromQL label matchers that select this cluster's platform series when several clusters share one Prometheus, e.g. namespace="chat",job="chat-platform". Empty selects every chat_messages_sent_total series. */
  selector: string;
  /** Range of the rate() over chat_messages_sent_total. */
  window: string;
}

export interface ChatClusterSpecShardingRebalance {
  /** Disabled: never act. DryRun: plan and report in status.rebalance only. Auto: add shards and move rooms. */
  mode: "Disabled" | "DryRun" | "Auto";
  /** Where the rebalancer reads per-shard write rates (chat_messages_sent_total). */
  prometheus?: ChatClusterSpecShardingRebalancePrometheus;
  /** How often the planner evaluates load. */
  interval: string;
  /** Sustained message writes per second one shard is sized for (100% load). */
  shardCapacityWritesPerSecond: number;
  /** Add a shard when the fleet's mean load passes this percentage of capacity. */
  addShardThresholdPercent: number;
  /** Move hot rooms off a shard whose load passes this percentage. */
  moveThresholdPercent: number;
  /** Load must fall this far below a threshold before it re-arms. */
  hysteresisPercent: number;
  /** Minimum time between two actions, and between two moves of one room. */
  cooldown: string;
  maxConcurrentMoves: number;
  /** Longest a room's writes may be fenced during a move (the platform's CHAT_MOVE_MAX_WRITE_PAUSE_MS, clamped to 50ms..60s). A final sync that does not fit is unfenced and retried; the move fails after repeated attempts. */
  maxWritePause: string;
}

/** Room placement and the automatic rebalancing policy (adds shards and moves hot rooms online). */
export interface ChatClusterSpecSharding {
  /** Where new rooms go. LeastLoaded picks the coolest shard; Hash spreads by room id. */
  placement: "LeastLoaded" | "Hash";
  rebalance: ChatClusterSpecShardingRebalance;
}

export interface ChatClusterSpecMonitoring {
  /** Create a ServiceMonitor and a PrometheusRule when the Prometheus Operator CRDs exist in the cluster. */
  enabled: boolean;
  /** Extra labels on the ServiceMonitor and PrometheusRule (e.g. the Prometheus selector's). */
  labels?: Record<string, string>;
}

export interface ChatClusterSpecNetworkPolicy {
  /** Only platform pods may reach MySQL, Redis and Kafka. */
  enabled: boolean;
}

/** The desired state of the chat platform. */
export interface ChatClusterSpec {
  /** Platform version; the image tag of the platform roles. Changing it rolls the Deployments with zero unavailable. */
  version: string;
  /** Platform image repository, without tag (the tag is spec.version). */
  image: string;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  /** Retain (default) keeps the MySQL/Kafka/Redis volumes and the credentials Secret when the ChatCluster is deleted; Delete removes them. */
  deletionPolicy: "Retain" | "Delete";
  /** The catalog database and the message shards (MariaDB/MySQL, one StatefulSet each). */
  mysql: ChatClusterSpecMysql;
  /** Kafka, managed in-cluster (KRaft) or external. When neither is set, a managed Kafka with defaults is created. */
  kafka: ChatClusterSpecKafka;
  /** Redis (socket.io adapter, rate limits, presence), managed in-cluster or external. When neither is set, a managed Redis is created. */
  redis: ChatClusterSpecRedis;
  /** The platform roles, one Deployment each (all from the same image). */
  roles: ChatClusterSpecRoles;
  /** Room placement and the automatic rebalancing policy (adds shards and moves hot rooms online). */
  sharding: ChatClusterSpecSharding;
  monitoring: ChatClusterSpecMonitoring;
  networkPolicy: ChatClusterSpecNetworkPolicy;
}

export interface ChatClusterStatusCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ChatClusterStatusComponent {
  name: string;
  kind: string;
  ready: boolean;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
}

export interface ChatClusterStatusShard {
  index: number;
  /** The shard's StatefulSet and Service name. */
  name: string;
  /** host:port the platform connects to. */
  endpoint?: string;
  /** Lifecycle: Provisioning (never ready yet) → Ready (StatefulSet ready) → Registered (known to the platform, set by the rebalancer) → Draining. */
  state: "Provisioning" | "Ready" | "Registered" | "Draining";
  /** The shard's StatefulSet is ready right now. */
  ready?: boolean;
  /** Last measured message write rate (filled by the rebalancer). */
  writesPerSecond?: string;
  loadPercent?: number;
  rooms?: number;
}

export interface ChatClusterStatusEndpoints {
  gateway?: string;
  realtime?: string;
  catalog?: string;
  kafka?: string;
  redis?: string;
}

export interface ChatClusterStatusRebalancePlannedAction {
  type: "AddShard" | "MoveRoom";
  roomId?: string;
  fromShard?: number;
  toShard?: number;
  reason?: string;
}

export interface ChatClusterStatusRebalanceMove {
  id: string;
  roomId: string;
  fromShard: number;
  toShard: number;
  state:
    | "Pending"
    | "Copying"
    | "CatchingUp"
    | "Fenced"
    | "Verifying"
    | "Flipped"
    | "CleaningUp"
    | "Done"
    | "Failed"
    | "Aborted";
  /** Directory epoch after the flip. */
  epoch?: number;
  startTime?: string;
  finishTime?: string;
  writePauseMillis?: number;
  rowsCopied?: number;
  /** Why the move failed or was aborted. */
  reason?: string;
}

/** What the rebalancer saw and did (filled by the elastic sharding work). */
export interface ChatClusterStatusRebalance {
  lastEvaluationTime?: string;
  lastActionTime?: string;
  fleetLoadPercent?: number;
  /** Shard count the rebalancer asks for; the operator runs max(spec.mysql.shards, this), capped at mysql.maxShards. */
  desiredShards?: number;
  /** Actions of the last plan (in DryRun mode, only these). */
  plannedActions?: ChatClusterStatusRebalancePlannedAction[];
  /** Room moves in progress and the most recent finished ones. */
  moves?: ChatClusterStatusRebalanceMove[];
}

export interface ChatClusterStatus {
  phase?: "Pending" | "Provisioning" | "Ready" | "Upgrading" | "Degraded" | "Deleting";
  observedGeneration?: number;
  /** Ready components / all components, e.g. 7/7. */
  ready?: string;
  /** The platform version every role runs (set once a rollout completes). */
  version?: string;
  message?: string;
  conditions?: ChatClusterStatusCondition[];
  /** Readiness of each workload, read from its StatefulSet or Deployment status. */
  components?: ChatClusterStatusComponent[];
  /** One entry per message shard. */
  shards?: ChatClusterStatusShard[];
  endpoints?: ChatClusterStatusEndpoints;
  /** Name of the generated Secret (MySQL passwords, JWT signing key, admin token). */
  credentialsSecret?: string;
  /** What the rebalancer saw and did (filled by the elastic sharding work). */
  rebalance?: ChatClusterStatusRebalance;
}
