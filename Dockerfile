# The Fargate extractor (ECS task ExtractTaskDefinition in serverless/resources.yml): the extractor
# bundle for sources that run longer than Lambda's 15 minutes. The bundle carries everything it
# needs, the AWS SDK included (serverless/functions.mjs: bundleAwsSdk), so the image is Node alone.
#
#   docker buildx build --platform linux/arm64 -t <ExtractorRepositoryUri>:<git sha> --push .
#   npx osls deploy --stage <stage> --param="extractorImage=<ExtractorRepositoryUri>:<git sha>"
#
# The repository's tags are immutable: push each build under a new tag (the git sha). The task
# runs on ARM64 (Graviton); the bundle is plain JavaScript, so it is built on the build machine's
# own platform and only the runtime stage is arm64. test/deploy/extractorImage.test.ts runs the
# bundle this file copies, with node alone, outside the repository.

# --- build: the bundle, from a clean checkout -------------------------------------------------
FROM --platform=$BUILDPLATFORM public.ecr.aws/docker/library/node:22-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the bundler needs none, and native modules (better-sqlite3) are not bundled.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node bin/build.mjs --only extractTask --no-zip

# --- runtime ----------------------------------------------------------------------------------
FROM public.ecr.aws/docker/library/node:22-bookworm-slim
ENV NODE_ENV=production \
    DIF_CONFIG_DIR=/app/extractTask
WORKDIR /app
COPY --from=build /src/dist/extractTask/ /app/extractTask/
USER node
CMD ["node", "--enable-source-maps", "extractTask/index.js"]
