-- Site administrators' API tokens (scope `organisations`: adding and changing signatories) belong to
-- no organisation, so a token's organisation becomes optional.
ALTER TABLE api_tokens ALTER COLUMN organisation_id DROP NOT NULL;
