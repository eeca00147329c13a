/** /app/proposals/:id/review: the review form (placeholder until the review pages land). */
import { useI18n } from "../../i18n";

export function ReviewForm() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.review.formTitle}</h1>
      <p>{t.review.placeholder}</p>
    </>
  );
}
