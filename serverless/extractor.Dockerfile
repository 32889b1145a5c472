# The Fargate extractor (ECS task ExtractTask in serverless/resources.yml): the same esbuild bundle
# the Lambda functions use, for sources that run longer than Lambda's 15 minutes.
#   node bin/build.mjs --only extractTask
#   docker build -f serverless/extractor.Dockerfile -t <ExtractorRepositoryUri>:<git sha> .
FROM public.ecr.aws/docker/library/node:22-slim
ENV NODE_ENV=production
WORKDIR /app
# The bundle keeps the AWS SDK external (Lambda provides it); the container installs it.
RUN npm install --omit=dev --no-audit --no-fund \
      @aws-sdk/client-dynamodb@3 @aws-sdk/client-kms@3 @aws-sdk/client-redshift-data@3 \
      @aws-sdk/client-s3@3 @aws-sdk/client-sfn@3 @aws-sdk/client-sqs@3 @aws-sdk/lib-dynamodb@3 @aws-sdk/lib-storage@3
COPY dist/extractTask/ /app/extractTask/
USER node
CMD ["node", "--enable-source-maps", "extractTask/index.js"]
